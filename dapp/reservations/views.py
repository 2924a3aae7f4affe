"""Pages of reservations: the device catalogue with the reservation form, and My reservations."""

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dapp import platform
from dapp.accounts.permissions import Module, Permission
from dapp.devices import catalog
from dapp.errors import DomainError
from dapp.reads.timestamps import BadTimestamp, parse_instant, zone
from dapp.reservations import service
from dapp.reservations.models import Frequency
from dapp.reservations.schemas import ReservationCreate
from dapp.web.pages import PageCall, clean_form, form_errors, page, parse_form

bp = Blueprint("reservations", __name__)


@bp.get("/reservations")
@page(Module.RESERVATIONS, Permission.READ)
def list_reservations(call: PageCall) -> str:
    return render_template("reservations/list.html", reservations=service.list_for(call.session, call.actor))


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
            reservation = service.create(
                call.session,
                call.actor,
                platform.current().clock.now(),
                parse_form(ReservationCreate, _with_offsets(values)),
            )
    except DomainError as error:
        flash(error.detail, "error")
        return _catalogue_page(call, values, form_errors(error)), error.status
    flash(f"Reservation '{reservation.name}' created with {len(values['device_ids'])} device(s).", "success")
    return redirect(url_for("reservations.list_reservations"))


def _with_offsets(values: dict[str, object]) -> dict[str, object]:
    """Datetime inputs carry no zone: they are read in the reservation's issuance time zone."""
    tz = zone(str(values.get("timezone") or "UTC"))
    converted = dict(values)
    for name in ("start", "end"):
        if isinstance(values.get(name), str):
            try:
                converted[name] = parse_instant(str(values[name]), tz).isoformat()
            except BadTimestamp:
                converted[name] = values[name]
    return converted


def _defaults() -> dict[str, str]:
    today = platform.current().clock.now().date()
    return {
        "start": f"{today}T00:00",
        "end": f"{today + timedelta(days=30)}T00:00",
        "frequency": "daily",
        "timezone": "UTC",
    }


def _catalogue_page(call: PageCall, values: dict[str, object], errors: dict[str, str]) -> str:
    p = platform.current()
    devices = service.catalogue(call.session, p.clock.now(), p.settings.default_yield_kwh_per_kwp)
    selected = {str(v) for v in values.get("device_ids", []) or []}
    return render_template(
        "reservations/catalogue.html",
        devices=devices,
        values=values,
        errors=errors,
        selected=selected,
        frequencies=[(f.value, f.value.capitalize()) for f in Frequency],
        device_types=catalog.DEVICE_TYPES,
    )
