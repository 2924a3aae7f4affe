"""Pages of meter reads: all reads (with chart and CSV), add a read, upload reads, the energy ledger, and the
platform admin's pages for country yields and flagged reads."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as WerkzeugResponse

from dapp import platform
from dapp.access.permissions import Actor, Module, Permission, PlatformAdmin
from dapp.devices.timezones import country_zones
from dapp.errors import Invalid, field_error
from dapp.models.devices import Device
from dapp.models.reads import MeterRead
from dapp.reads import labels
from dapp.reads.ingest import Outcome
from dapp.reads.schemas import CountryYieldUpdate, LedgerRead, ReadBatchCreate, ReadPage, ReadQuery, ReadReviewCreate
from dapp.reads.service import ingestion, ledger, listing, review, uploads, yields
from dapp.reads.service.devices import own_device, own_devices
from dapp.web.pages import Failed, PageCall, admin_page, attempt, clean_form, page, parse_form

bp = Blueprint("reads", __name__)
bp.add_app_template_filter(labels.status_label, "read_status")
bp.add_app_template_filter(labels.reason_label, "read_reason")


@bp.app_template_filter("in_unit")
def in_unit(wh: int | None, factor: int) -> str:
    """Wh shown in the unit the reader chose (exact: at most 9 decimals)."""
    if wh is None:
        return "—"
    value = Decimal(wh) / factor
    return f"{value.normalize():f}" if factor > 1 else f"{wh}"


UNITS = {"Wh": 1, "kWh": 1_000, "MWh": 1_000_000, "GWh": 1_000_000_000}


@bp.get("/reads")
@page(Module.METER_READS, Permission.READ)
def list_reads(call: PageCall[Actor]) -> str | tuple[str, int]:
    devices = own_devices(call.session, call.actor)
    values = _filters(devices)
    unit = values["unit"] if values["unit"] in UNITS else "Wh"
    context = {"devices": devices, "values": values, "unit": unit, "factor": UNITS[unit], "errors": {}}
    if not values.get("device"):
        return render_template("reads/list.html", **context)
    shown = attempt(call.session, lambda: _reads_and_chart(call, values))
    if isinstance(shown, Failed):
        return render_template("reads/list.html", **{**context, "errors": shown.field_errors}), shown.status
    reads, chart = shown
    return render_template("reads/list.html", **context, reads=reads, chart=chart)


def _reads_and_chart(call: PageCall[Actor], values: dict[str, str]) -> tuple[ReadPage, dict[str, Any]]:
    query = parse_form(ReadQuery, {k: v for k, v in values.items() if k in ("from", "to", "page") and v})
    reads = listing.read_page(call.session, call.actor, values["device"], query)
    return reads, listing.production(call.session, call.actor, values["device"], query.start, query.end)


def _only(devices: list[Device]) -> str:
    """The external id of the organization's only device (chosen for the reader), else nothing."""
    return devices[0].external_id if len(devices) == 1 else ""


def _filters(devices: list[Device]) -> dict[str, str]:
    today = platform.current().clock.now().date()
    return {
        "device": request.args.get("device", _only(devices)),
        "from": request.args.get("from", str(today - timedelta(days=6))),
        "to": request.args.get("to", str(today)),
        "unit": request.args.get("unit", "Wh"),
        "page": request.args.get("page", "1"),
    }


@bp.get("/reads/export.csv")
@page(Module.METER_READS, Permission.READ)
def export_reads(call: PageCall[Actor]) -> Response:
    query = parse_form(ReadQuery, {k: request.args.get(k) for k in ("from", "to") if request.args.get(k)})
    device = request.args.get("device", "")
    body = listing.export_csv(call.session, call.actor, device, query.start, query.end)
    filename = f"reads-{device}-{query.start}-{query.end}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/reads/new", methods=["GET", "POST"])
@page(Module.METER_READS, Permission.WRITE)
def new_read(call: PageCall[Actor]) -> str | tuple[str, int] | WerkzeugResponse:
    devices = own_devices(call.session, call.actor)
    if request.method == "GET":
        values = {"device": request.args.get("device", _only(devices)), "type": "delta", "unit": "Wh"}
        return _read_form(devices, values, {})
    values = clean_form()
    recorded = attempt(call.session, lambda: _record_one(call, values))
    if isinstance(recorded, Failed):
        return _read_form(devices, values, recorded.field_errors), recorded.status
    device, outcome = recorded
    flash(_outcome_message(outcome, device.timezone), "info" if outcome.status == "flagged" else "success")
    return redirect(url_for("reads.new_read", device=device.external_id))


def _record_one(call: PageCall[Actor], values: dict[str, str]) -> tuple[Device, Outcome]:
    """The form's read, stored as a batch of one; a refusal speaks of the form (see `_refusal`)."""
    if not values.get("device"):
        raise field_error("device", "Choose one of your devices.")
    device = own_device(call.session, call.actor, values["device"])
    try:
        batch = parse_form(
            ReadBatchCreate,
            {
                "type": values.get("type"),
                "unit": values.get("unit"),
                "timezone": values.get("timezone"),
                "reads": [
                    {"start": values.get("start"), "end": values.get("end", ""), "value": values.get("value", "")}
                ],
            },
        )
        policy = ingestion.policy_from(
            platform.current().settings, platform.current().clock.now(), values.get("acknowledge_old") == "on"
        )
        result = ingestion.record_batch(call.session, call.actor, device.external_id, batch, policy, atomic=True)
    except Invalid as error:
        raise _refusal(error) from error
    return device, result["results"][0]


def _refusal(error: Invalid) -> Invalid:
    """A refused batch of one as the form tells it: fields by their names in the form, and a rejected read by
    the rule it broke, in the sentence the rule gives (not the batch's summary)."""
    errors = [{**item, "field": item["field"].removeprefix("reads.0.")} for item in error.extra.get("errors", [])]
    detail = error.detail
    if error.code == "batch_rejected":
        [[outcome]] = error.extra["results"]
        detail = f"The read was not stored ({labels.reason_label(outcome['reason_code'])}): {outcome['detail']}"
    return type(error)(detail, **{**error.extra, "errors": errors})


def _outcome_message(outcome: Outcome, timezone: str) -> str:
    if outcome.status == "baseline":
        return (
            f"Read stored as a starting point ({labels.reason_label(outcome.reason_code or '')}): its"
            f" {outcome.energy_wh} Wh are kept but never"
            " certified; the next read's interval starts at its end."
        )
    if outcome.status == "flagged":
        return f"Read stored but flagged for review: {outcome.detail}"
    assert outcome.start is not None
    assert outcome.end is not None
    return (
        f"Read accepted: {outcome.energy_wh} Wh from {_when(outcome.start, timezone)} "
        f"to {_when(outcome.end, timezone)}."
    )


def _when(instant: datetime, timezone: str) -> str:
    return f"{listing.local(instant, timezone)} ({instant.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"


def _read_form(devices: list[Device], values: dict[str, str], errors: dict[str, str]) -> str:
    device = next((d for d in devices if d.external_id.lower() == values.get("device", "").lower()), None)
    return render_template(
        "reads/new.html",
        devices=devices,
        values=values,
        errors=errors,
        zones=country_zones(device.country_code) if device else [],
        device_zone=device.timezone if device else None,
    )


@bp.get("/reads/new/timezone")
@page(Module.METER_READS, Permission.WRITE)
def timezone_field(call: PageCall[Actor]) -> str:
    """htmx: the time-zone picker for the chosen device (its country's zones, its own preselected; R-TZ-3)."""
    device = own_device(call.session, call.actor, request.args.get("device", ""))
    return render_template(
        "reads/_timezone.html", zones=country_zones(device.country_code), device_zone=device.timezone
    )


@bp.route("/reads/upload", methods=["GET", "POST"])
@page(Module.METER_READS, Permission.WRITE)
def upload_reads(call: PageCall[Actor]) -> str | tuple[str, int]:
    if request.method == "GET":
        return render_template("reads/upload.html", rows=None)
    rows = attempt(call.session, lambda: _record_upload(call, request.files.get("file")))
    if isinstance(rows, Failed):
        return render_template("reads/upload.html", rows=None, errors=rows.field_errors), rows.status
    stored = sum(1 for r in rows if r.status != "rejected")
    flash(f"{stored} of {len(rows)} reads stored; see each row below.", "success" if stored == len(rows) else "info")
    return render_template("reads/upload.html", rows=rows)


def _record_upload(call: PageCall[Actor], file: FileStorage | None) -> list[uploads.RowOutcome]:
    if file is None or not file.filename:
        raise Invalid("Choose a CSV file to upload.", errors=[{"field": "file", "message": "required"}])
    p = platform.current()
    policy = ingestion.policy_from(p.settings, p.clock.now(), request.form.get("acknowledge_old") == "on")
    return uploads.record_csv(call.session, call.actor, file.stream.read(uploads.MAX_BYTES + 1), policy)


@bp.get("/reads/upload/template.csv")
@page(Module.METER_READS, Permission.READ)
def upload_template(call: PageCall[Actor]) -> Response:  # noqa: ARG001 - the page decorator authorizes
    return Response(
        uploads.TEMPLATE, mimetype="text/csv", headers={"Content-Disposition": 'attachment; filename="reads.csv"'}
    )


@bp.get("/reads/ledger")
@page(Module.METER_READS, Permission.READ)
def device_ledger(call: PageCall[Actor]) -> str | tuple[str, int]:
    devices = own_devices(call.session, call.actor)
    today = platform.current().clock.now().date()
    values = {
        "device": request.args.get("device", _only(devices)),
        "from": request.args.get("from", str(today.replace(day=1))),
        "to": request.args.get("to", str(today)),
    }
    context = {"devices": devices, "values": values}
    if not values["device"]:
        return render_template("reads/ledger.html", **context)
    shown = attempt(call.session, lambda: _ledger(call, values))
    if isinstance(shown, Failed):
        return render_template("reads/ledger.html", **context), shown.status
    device, result = shown
    return render_template("reads/ledger.html", **context, ledger=result, timezone=device.timezone)


def _ledger(call: PageCall[Actor], values: dict[str, str]) -> tuple[Device, LedgerRead]:
    device = own_device(call.session, call.actor, values["device"])
    span = listing.day_range(device, *_dates(values))
    return device, ledger.device_ledger(call.session, call.actor, values["device"], span.start, span.end)


def _dates(values: dict[str, str]) -> tuple[date, date]:
    query = parse_form(ReadQuery, {"from": values["from"], "to": values["to"]})
    return query.start, query.end


@bp.route("/admin/country-yields", methods=["GET", "POST"])
@admin_page
def country_yields(call: PageCall[PlatformAdmin]) -> str | tuple[str, int] | WerkzeugResponse:
    if request.method == "POST":
        values = clean_form()
        changed = attempt(call.session, lambda: _change_yield(call, values))
        if isinstance(changed, Failed):
            return _yields_page(call, values, changed.field_errors), changed.status
        return redirect(url_for("reads.country_yields"))
    return _yields_page(call, {}, {})


def _change_yield(call: PageCall[PlatformAdmin], values: dict[str, str]) -> None:
    code = values.get("country_code", "")
    if values.get("action") == "remove":
        yields.unset_yield(call.session, call.actor, code, platform.current().clock.now())
        flash(f"Yield of {code.upper()} removed: its devices use the default again.", "success")
        return
    data = parse_form(CountryYieldUpdate, {"yield_kwh_per_kwp": values.get("yield_kwh_per_kwp")})
    now = platform.current().clock.now()
    row = yields.set_yield(call.session, call.actor, code, data.yield_kwh_per_kwp, now)
    flash(f"Yield of {row.country_code} set to {row.yield_kwh_per_kwp} kWh/kWp/year.", "success")


def _yields_page(call: PageCall[PlatformAdmin], values: dict[str, str], errors: dict[str, str]) -> str:
    default = platform.current().settings.default_yield_kwh_per_kwp
    return render_template(
        "reads/country_yields.html", yields=yields.list_all(call.session), values=values, errors=errors, default=default
    )


@bp.route("/admin/flagged-reads", methods=["GET", "POST"])
@admin_page
def flagged_reads(call: PageCall[PlatformAdmin]) -> str | tuple[str, int] | WerkzeugResponse:
    if request.method == "POST":
        read = attempt(call.session, lambda: _review(call))
        if not isinstance(read, Failed):
            flash(f"Read {read.id} {read.status}.", "success")
        return redirect(url_for("reads.flagged_reads"))
    return render_template("reads/flagged.html", reads=review.flagged(call.session))


def _review(call: PageCall[PlatformAdmin]) -> MeterRead:
    data = parse_form(
        ReadReviewCreate, {"decision": request.form.get("decision"), "note": request.form.get("note") or None}
    )
    now = platform.current().clock.now()
    return review.decide(call.session, call.actor, int(request.form.get("read_id", "0")), data, now)
