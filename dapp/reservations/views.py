"""Pages of reservations: the device catalogue with the reservation form, My reservations and a reservation's
details (change devices, end), and for developers the reservations holding their devices."""

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, after_this_request, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dapp import platform
from dapp.accounts.permissions import Module, Permission
from dapp.devices import catalog
from dapp.errors import DomainError
from dapp.notify.jobs import enqueue_email_delivery
from dapp.reads.timestamps import BadTimestamp, parse_instant, zone
from dapp.reservations import service
from dapp.reservations.models import Frequency
from dapp.reservations.params import parse_query
from dapp.reservations.schemas import CatalogueQuery, GroupBy, ReservationCreate, ReservationPatch, ReservationQuery
from dapp.reservations.service.catalogue import check_codes, group_key
from dapp.reservations.service.listing import members_with_devices, membership_state
from dapp.reservations.service.log import entries
from dapp.web.pages import PageCall, clean_form, form_errors, page, parse_form

bp = Blueprint("reservations", __name__)
PAGE_ONLY = ("add_to",)


def _now() -> Any:
    return platform.current().clock.now()


def _default_yield() -> Decimal:
    return Decimal(platform.current().settings.default_yield_kwh_per_kwp)


def _email_after_commit() -> None:
    @after_this_request
    def deliver(response: Response) -> Response:
        enqueue_email_delivery()
        return response


@bp.get("/reservations")
@page(Module.RESERVATIONS, Permission.READ)
def list_reservations(call: PageCall) -> str:
    query = parse_query(ReservationQuery, request.args)
    check_codes(query)
    rows, total = service.list_page(call.session, call.actor, _now(), query)
    template = "reservations/_list_rows.html" if request.headers.get("HX-Request") else "reservations/list.html"
    return render_template(template, rows=rows, total=total, query=query, now=_now(), **_choices())


@bp.route("/catalogue", methods=["GET", "POST"])
@page(Module.RESERVATIONS, Permission.READ)
def catalogue(call: PageCall) -> str | tuple[str, int] | Response:
    if request.method == "GET":
        return _catalogue_page(call, _defaults(), {})
    values: dict[str, object] = {**clean_form(), "device_ids": request.form.getlist("device_ids")}
    if not call.actor.can(Module.RESERVATIONS, Permission.WRITE):
        flash("You need WRITE on reservations to reserve devices.", "error")
        return _catalogue_page(call, values, {}), 403
    try:
        with call.session.begin_nested():
            created = service.create(
                call.session, call.actor, _now(), parse_form(ReservationCreate, _with_offsets(values))
            )
    except DomainError as error:
        flash(error.detail, "error")
        return _catalogue_page(call, values, form_errors(error)), error.status
    _email_after_commit()
    count = len(_selected(values)) - len(created.left_out)
    flash(f"Reservation '{created.reservation.name}' created with {count} device(s).", "success")
    if created.left_out:
        flash(f"{len(created.left_out)} device(s) were not available and were left out.", "info")
    return redirect(url_for("reservations.reservation_detail", reservation_id=created.reservation.id))


@bp.post("/catalogue/estimate")
@page(Module.RESERVATIONS, Permission.READ)
def catalogue_estimate(call: PageCall) -> str:
    """An htmx fragment: expected energy of the ticked devices next to the target in the period."""
    device_ids = {uuid.UUID(v) for v in request.form.getlist("device_ids") if _is_uuid(v)}
    values = _with_offsets(clean_form())
    period = _period(values)
    target = _decimal(values.get("target_volume_mwh"))
    outlook = None
    if device_ids:
        outlook, _ = service.estimate(call.session, _now(), device_ids, period, target, _default_yield())
    return render_template("reservations/_selection.html", outlook=outlook, period=period)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _decimal(value: object) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() and number > 0 else None


def _period(values: dict[str, object]) -> tuple[Any, Any] | None:
    try:
        start, end = (parse_instant(str(values[name]), zone("UTC")) for name in ("start", "end"))
    except (KeyError, BadTimestamp):
        return None
    return (start, end) if start < end else None


def _with_offsets(values: dict[str, object]) -> dict[str, object]:
    """Datetime inputs carry no zone: they are read in the reservation's issuance time zone."""
    try:
        tz = zone(str(values.get("timezone") or "UTC"))
    except DomainError:
        return values  # the service names the unknown zone
    converted = dict(values)
    for name in ("start", "end"):
        if isinstance(values.get(name), str):
            try:
                converted[name] = parse_instant(str(values[name]), tz).isoformat()
            except BadTimestamp:
                converted[name] = values[name]
    return converted


def _defaults() -> dict[str, object]:
    today = _now().date()
    return {
        "start": f"{today}T00:00",
        "end": f"{today + timedelta(days=30)}T00:00",
        "frequency": "daily",
        "timezone": "UTC",
    }


def _catalogue_page(call: PageCall, values: dict[str, object], errors: dict[str, str]) -> str:
    query = parse_query(CatalogueQuery, request.args, ignore=PAGE_ONLY)
    rows = service.devices_page(call.session, _now(), query, _default_yield())
    groups, overall = service.groups(call.session, _now(), query, _default_yield())
    by_key = {tuple(g.key.values()): g for g in groups}
    add_to = _reservation_to_extend(call)
    context = {
        "rows": [(d, org, wh, by_key.get(group_key(d, query.group_by))) for d, org, wh in rows],
        "total": overall.device_count,
        "group_count": len(groups),
        "overall": overall,
        "query": query,
        "selected": _selected(values),
        "add_to": add_to,
        "outlook": None,  # the selection panel asks for it with htmx
    }
    if request.headers.get("HX-Request") and request.method == "GET":
        return render_template("reservations/_catalogue_results.html", **context, **_choices())
    return render_template(
        "reservations/catalogue.html",
        values=values,
        errors=errors,
        frequencies=[(f.value, f.value.capitalize()) for f in Frequency],
        **context,
        **_choices(),
    )


def _selected(values: dict[str, object]) -> set[str]:
    picked = values.get("device_ids")
    return {str(v) for v in picked} if isinstance(picked, list) else set()


def _reservation_to_extend(call: PageCall) -> Any:
    raw = request.args.get("add_to")
    return service.get(call.session, call.actor, uuid.UUID(raw)) if raw and _is_uuid(raw) else None


def _choices() -> dict[str, Any]:
    """Options of the list filters ((label, [(value, text)]) by query argument) and the request's arguments."""
    return {
        "choices": {
            "country": ("Country", catalog.countries()),
            "fuel": ("Fuel", list(catalog.FUELS.items())),
            "device_type": ("Device type", list(catalog.DEVICE_TYPES.items())),
            "off_taker": ("Off-taker", [(o, o) for o in catalog.OFF_TAKERS]),
            "sdg": ("SDG benefits", [(code, f"{code} {name}") for code, name in catalog.SDGS.items()]),
            "group_by": ("Group by", [(g.value, g.value.replace("_", " ").capitalize()) for g in GroupBy]),
        },
        "device_types": catalog.DEVICE_TYPES,
        "args": request.args,
        "page_link": _page_link,
    }


def _page_link(number: int) -> str:
    """The current page's URL (with its filters) for another page number."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"] + [("page", str(number))]
    return f"{request.path}?{urlencode(pairs)}"


@bp.get("/reservations/<uuid:reservation_id>")
@page(Module.RESERVATIONS, Permission.READ)
def reservation_detail(call: PageCall, reservation_id: uuid.UUID) -> str:
    reservation = service.get(call.session, call.actor, reservation_id)
    now = _now()
    return render_template(
        "reservations/detail.html",
        reservation=reservation,
        figures=service.figures_of(call.session, [reservation.id])[reservation.id],
        members=[(m, d, membership_state(m, now)) for m, d in members_with_devices(call.session, reservation)],
        log=entries(call.session, reservation),
        certificates=service.certificates(call.session, call.actor, reservation.id),
        now=now,
        device_types=catalog.DEVICE_TYPES,
    )


@bp.post("/reservations/<uuid:reservation_id>/devices")
@page(Module.RESERVATIONS, Permission.UPDATE)
def change_devices(call: PageCall, reservation_id: uuid.UUID) -> Response:
    data = {
        "add_device_ids": request.form.getlist("add_device_ids"),
        "remove_device_ids": request.form.getlist("remove_device_ids"),
    }
    try:
        with call.session.begin_nested():
            service.change_devices(call.session, call.actor, _now(), reservation_id, parse_form(ReservationPatch, data))
    except DomainError as error:
        flash(error.detail, "error")
        return redirect(url_for("reservations.reservation_detail", reservation_id=reservation_id))
    _email_after_commit()
    added, removed = len(data["add_device_ids"]), len(data["remove_device_ids"])
    flash(f"{added} device(s) added; {removed} device(s) leave at the end of the current issuance window.", "success")
    return redirect(url_for("reservations.reservation_detail", reservation_id=reservation_id))


@bp.post("/reservations/<uuid:reservation_id>/end")
@page(Module.RESERVATIONS, Permission.DELETE)
def end_reservation(call: PageCall, reservation_id: uuid.UUID) -> Response:
    try:
        with call.session.begin_nested():
            ending = service.end(call.session, call.actor, _now(), reservation_id)
    except DomainError as error:
        flash(error.detail, "error")
        return redirect(url_for("reservations.reservation_detail", reservation_id=reservation_id))
    _email_after_commit()
    if ending.deleted:
        flash(f"Reservation '{ending.reservation.name}' deleted: it had issued nothing.", "success")
        return redirect(url_for("reservations.list_reservations"))
    flash(f"Reservation '{ending.reservation.name}' ends at {ending.ended_at:%Y-%m-%d %H:%M} UTC.", "success")
    return redirect(url_for("reservations.reservation_detail", reservation_id=reservation_id))


@bp.get("/reserved-devices")
@page(Module.DEVICES, Permission.READ)
def reserved_devices(call: PageCall) -> str:
    rows = service.reservations_of_my_devices(call.session, call.actor, _now())
    return render_template("reservations/reserved_devices.html", rows=rows)


@bp.post("/reserved-devices/<uuid:device_id>/release")
@page(Module.DEVICES, Permission.UPDATE | Permission.DELETE)
def release_device(call: PageCall, device_id: uuid.UUID) -> Response:
    try:
        with call.session.begin_nested():
            service.release_by_hand(call.session, call.actor, _now(), device_id)
    except DomainError as error:
        flash(error.detail, "error")
    else:
        _email_after_commit()
        flash("Device released.", "success")
    return redirect(url_for("reservations.reserved_devices"))
