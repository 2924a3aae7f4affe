"""Pages of reservations: the device catalogue with the reservation form, My reservations and a reservation's
details (change devices, end), and for developers the reservations holding their devices."""

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dapp import codes, platform
from dapp.access.permissions import Actor, Module, Permission
from dapp.errors import DomainError
from dapp.models.reservations import Frequency
from dapp.reads.timestamps import BadTimestamp, parse_instant, zone
from dapp.reservations.params import parse_query
from dapp.reservations.schemas import CatalogueQuery, GroupBy, ReservationCreate, ReservationPatch, ReservationQuery
from dapp.reservations.service import catalogue as device_catalogue
from dapp.reservations.service import changes, creation, ending, listing, release
from dapp.reservations.service.catalogue import check_codes, group_key
from dapp.reservations.service.listing import members_with_devices, membership_state
from dapp.reservations.service.log import entries
from dapp.web.pages import Failed, PageCall, attempt, clean_form, is_htmx, page, parse_form
from dapp.web.query import page_link

bp = Blueprint("reservations", __name__)
PAGE_ONLY = ("add_to",)


def _now() -> Any:
    return platform.current().clock.now()


def _default_yield() -> Decimal:
    return Decimal(platform.current().settings.default_yield_kwh_per_kwp)


@bp.get("/reservations")
@page(Module.RESERVATIONS, Permission.READ)
def list_reservations(call: PageCall[Actor]) -> str:
    query = parse_query(ReservationQuery, request.args)
    check_codes(query)
    rows, total = listing.list_page(call.session, call.actor, _now(), query)
    template = "reservations/_list_rows.html" if is_htmx() else "reservations/list.html"
    return render_template(template, rows=rows, total=total, query=query, now=_now(), **_choices())


@bp.route("/catalogue", methods=["GET", "POST"])
@page(Module.RESERVATIONS, Permission.READ)
def catalogue(call: PageCall[Actor]) -> str | tuple[str, int] | Response:
    if request.method == "GET":
        return _catalogue_page(call, _defaults(), {})
    values: dict[str, object] = {**clean_form(), "device_ids": request.form.getlist("device_ids")}
    if not call.actor.can(Module.RESERVATIONS, Permission.WRITE):
        flash("You need WRITE on reservations to reserve devices.", "error")
        return _catalogue_page(call, values, {}), 403
    created = attempt(
        call.session,
        lambda: creation.create(call.session, call.actor, _now(), parse_form(ReservationCreate, _with_offsets(values))),
    )
    if isinstance(created, Failed):
        return _catalogue_page(call, values, created.field_errors), created.status
    count = len(_selected(values)) - len(created.left_out)
    flash(f"Reservation '{created.reservation.name}' created with {count} device(s).", "success")
    if created.left_out:
        flash(f"{len(created.left_out)} device(s) were not available and were left out.", "info")
    return redirect(url_for("reservations.reservation_detail", reservation_id=created.reservation.id))


@bp.post("/catalogue/estimate")
@page(Module.RESERVATIONS, Permission.READ)
def catalogue_estimate(call: PageCall[Actor]) -> str:
    """An htmx fragment: expected energy of the ticked devices next to the target in the period."""
    device_ids = {uuid.UUID(v) for v in request.form.getlist("device_ids") if _is_uuid(v)}
    values = _with_offsets(clean_form())
    period = _period(values)
    target = _decimal(values.get("target_volume_mwh"))
    outlook = None
    if device_ids:
        outlook, _ = device_catalogue.estimate(call.session, _now(), device_ids, period, target, _default_yield())
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


def _catalogue_page(call: PageCall[Actor], values: dict[str, object], errors: dict[str, str]) -> str:
    query = parse_query(CatalogueQuery, request.args, ignore=PAGE_ONLY)
    rows = device_catalogue.devices_page(call.session, _now(), query, _default_yield())
    groups, overall = device_catalogue.groups(call.session, _now(), query, _default_yield())
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
    if is_htmx() and request.method == "GET":
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


def _reservation_to_extend(call: PageCall[Actor]) -> Any:
    raw = request.args.get("add_to")
    return listing.get(call.session, call.actor, uuid.UUID(raw)) if raw and _is_uuid(raw) else None


def _choices() -> dict[str, Any]:
    """Options of the list filters ((label, [(value, text)]) by query argument) and the request's arguments."""
    return {
        "choices": {
            "country": ("Country", codes.countries()),
            "fuel": ("Fuel", list(codes.FUELS.items())),
            "device_type": ("Device type", list(codes.DEVICE_TYPES.items())),
            "off_taker": ("Off-taker", [(o, o) for o in codes.OFF_TAKERS]),
            "sdg": ("SDG benefits", [(code, f"{code} {name}") for code, name in codes.SDGS.items()]),
            "group_by": ("Group by", [(g.value, g.value.replace("_", " ").capitalize()) for g in GroupBy]),
        },
        "device_types": codes.DEVICE_TYPES,
        "args": request.args,
        "page_link": page_link,
    }


@bp.get("/reservations/<uuid:reservation_id>")
@page(Module.RESERVATIONS, Permission.READ)
def reservation_detail(call: PageCall[Actor], reservation_id: uuid.UUID) -> str:
    reservation = listing.get(call.session, call.actor, reservation_id)
    now = _now()
    return render_template(
        "reservations/detail.html",
        reservation=reservation,
        figures=listing.figures_of(call.session, [reservation.id])[reservation.id],
        members=[(m, d, membership_state(m, now)) for m, d in members_with_devices(call.session, reservation)],
        log=entries(call.session, reservation),
        certificates=listing.certificates(call.session, call.actor, reservation.id),
        now=now,
        device_types=codes.DEVICE_TYPES,
    )


@bp.post("/reservations/<uuid:reservation_id>/devices")
@page(Module.RESERVATIONS, Permission.UPDATE)
def change_devices(call: PageCall[Actor], reservation_id: uuid.UUID) -> Response:
    data = {
        "add_device_ids": request.form.getlist("add_device_ids"),
        "remove_device_ids": request.form.getlist("remove_device_ids"),
    }
    changed = attempt(
        call.session,
        lambda: changes.change_devices(
            call.session, call.actor, _now(), reservation_id, parse_form(ReservationPatch, data)
        ),
    )
    if isinstance(changed, Failed):
        return redirect(url_for("reservations.reservation_detail", reservation_id=reservation_id))
    added, removed = len(data["add_device_ids"]), len(data["remove_device_ids"])
    flash(f"{added} device(s) added; {removed} device(s) leave at the end of the current issuance window.", "success")
    return redirect(url_for("reservations.reservation_detail", reservation_id=reservation_id))


@bp.post("/reservations/<uuid:reservation_id>/end")
@page(Module.RESERVATIONS, Permission.DELETE)
def end_reservation(call: PageCall[Actor], reservation_id: uuid.UUID) -> Response:
    ended = attempt(call.session, lambda: ending.end(call.session, call.actor, _now(), reservation_id))
    if isinstance(ended, Failed):
        return redirect(url_for("reservations.reservation_detail", reservation_id=reservation_id))
    if ended.deleted:
        flash(f"Reservation '{ended.reservation.name}' deleted: it had issued nothing.", "success")
        return redirect(url_for("reservations.list_reservations"))
    flash(f"Reservation '{ended.reservation.name}' ends at {ended.ended_at:%Y-%m-%d %H:%M} UTC.", "success")
    return redirect(url_for("reservations.reservation_detail", reservation_id=reservation_id))


@bp.get("/reserved-devices")
@page(Module.DEVICES, Permission.READ)
def reserved_devices(call: PageCall[Actor]) -> str:
    rows = release.reservations_of_my_devices(call.session, call.actor, _now())
    return render_template("reservations/reserved_devices.html", rows=rows)


@bp.post("/reserved-devices/<uuid:device_id>/release")
@page(Module.DEVICES, Permission.UPDATE | Permission.DELETE)
def release_device(call: PageCall[Actor], device_id: uuid.UUID) -> Response:
    released = attempt(call.session, lambda: release.release_by_hand(call.session, call.actor, _now(), device_id))
    if not isinstance(released, Failed):
        flash("Device released.", "success")
    return redirect(url_for("reservations.reserved_devices"))
