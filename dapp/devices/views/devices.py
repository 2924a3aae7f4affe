"""My devices (R-DEV-5) and the add / edit / delete forms (R-DEV-6)."""

from typing import Any

from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from werkzeug.wrappers import Response as BaseResponse

from dapp import codes
from dapp.access.permissions import Actor, Module, Permission
from dapp.devices import timezones
from dapp.devices.service import listing, projects, registry
from dapp.devices.views import forms
from dapp.devices.views.blueprint import bp, now
from dapp.web.pages import Failed, PageCall, attempt, is_htmx, page
from dapp.web.paging import page_args

FILTER_OPTIONS = {
    "countries": [(code, f"{name} ({code})") for code, name in codes.countries()],
    "device_types": [(code, f"{code} {name}") for code, name in codes.DEVICE_TYPES.items()],
    "off_takers": [(name, name) for name in codes.OFF_TAKERS],
    "sdgs": [(code, f"{code} {name}") for code, name in codes.SDGS.items()],
}


@bp.get("/devices")
@page(Module.DEVICES, Permission.READ)
def list_devices(call: PageCall[Actor]) -> str:
    number, size = page_args(request.args, default_size=25)
    query = listing.parse_query(request.args)
    devices, total = registry.list_page(call.session, call.actor, number, size, query, now())
    return render_template(
        "devices/list.html",
        devices=devices,
        reserved=registry.reserved_ids(call.session, [d.id for d in devices], now()),
        total=total,
        page=number,
        size=size,
        query=query,
        can_edit=call.actor.can(Module.DEVICES, Permission.UPDATE),
        can_delete=call.actor.can(Module.DEVICES, Permission.DELETE),
        options=FILTER_OPTIONS,
    )


@bp.get("/devices/export.csv")
@page(Module.DEVICES, Permission.READ)
def export_devices(call: PageCall[Actor]) -> Response:
    """Every device matching the list's filters, as CSV in the upload template's columns."""
    query = listing.parse_query(request.args)
    rows = call.session.execute(listing.export_statement(call.actor.organization_id, query, now())).all()
    return Response(
        stream_with_context(listing.csv_rows(rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="devices.csv"'},
    )


@bp.get("/devices/<external_id>/details")
@page(Module.DEVICES, Permission.READ)
def device_details(call: PageCall[Actor], external_id: str) -> str:
    """Every field of a device: a pop-up fragment for htmx, a page otherwise."""
    device = registry.get_by_external_id(call.session, call.actor, external_id)
    context: dict[str, Any] = {
        "device": device,
        "project": projects.find(call.session, device.project_id) if device.project_id else None,
        "certified": registry.has_certified_energy(call.session, device.id),
        "reserved": bool(registry.reserved_ids(call.session, [device.id], now())),
        "catalog": codes,
        "country": codes.country_name(device.country_code),
    }
    return render_template("devices/_details.html" if is_htmx() else "devices/details.html", **context)


@bp.get("/devices/timezones")
@page(Module.DEVICES, Permission.READ)
def timezone_options(_call: PageCall[Actor]) -> str:
    """The time-zone picker's options for a country (R-TZ-3), swapped in when the country changes."""
    country = (request.args.get("country_code") or "").upper()
    return render_template("devices/_zones.html", zones=timezones.country_zones(country), chosen="")


@bp.route("/devices/new", methods=["GET", "POST"])
@page(Module.DEVICES, Permission.WRITE)
def new_device(call: PageCall[Actor]) -> str | tuple[str, int] | BaseResponse:
    if request.method == "GET":
        return _form(call, None, {"grid_interconnection": False, "energy_storage": False}, {})
    values = forms.submitted()
    device = attempt(call.session, lambda: registry.create(call.session, call.actor, now(), forms.parse_create(values)))
    if isinstance(device, Failed):
        return _form(call, None, values, device.field_errors), device.status
    flash(f"Device {device.external_id} registered.", "success")
    return redirect(url_for("devices.list_devices"))


@bp.route("/devices/<external_id>/edit", methods=["GET", "POST"])
@page(Module.DEVICES, Permission.UPDATE)
def edit_device(call: PageCall[Actor], external_id: str) -> str | tuple[str, int] | BaseResponse:
    device = registry.get_by_external_id(call.session, call.actor, external_id)
    locked = registry.has_certified_energy(call.session, device.id)
    if request.method == "GET":
        return _form(call, device, forms.device_values(device), {}, locked)
    values = forms.submitted()
    if locked:
        values = {k: v for k, v in values.items() if k not in registry.LOCKED_WHEN_CERTIFIED}
    saved = attempt(
        call.session, lambda: registry.update(call.session, call.actor, now(), external_id, forms.parse_update(values))
    )
    if isinstance(saved, Failed):
        shown = {**forms.device_values(device), **values}
        return _form(call, device, shown, saved.field_errors, locked), saved.status
    flash(f"Device {saved.external_id} saved.", "success")
    return redirect(url_for("devices.list_devices"))


@bp.route("/devices/<external_id>/delete", methods=["GET", "POST"])
@page(Module.DEVICES, Permission.DELETE)
def delete_device(call: PageCall[Actor], external_id: str) -> str | tuple[str, int] | BaseResponse:
    device = registry.get_by_external_id(call.session, call.actor, external_id)
    if request.method == "GET":
        certified = registry.has_certified_energy(call.session, device.id)
        return render_template("devices/delete.html", device=device, certified=certified)
    deleted = attempt(call.session, lambda: registry.delete_device(call.session, call.actor, now(), external_id))
    if isinstance(deleted, Failed):
        return render_template("devices/delete.html", device=device, certified=True), deleted.status
    flash(f"Device {external_id} deleted.", "success")
    return redirect(url_for("devices.list_devices"))


def _form(
    call: PageCall[Actor], device: Any, values: dict[str, Any], errors: dict[str, str], locked: bool = False
) -> str:
    owned = [(str(p.id), p.name) for p, _ in projects.list_projects(call.session, call.actor)]
    return render_template(
        "devices/form.html",
        device=device,
        values=values,
        errors=errors,
        locked=locked,
        locked_fields=registry.LOCKED_WHEN_CERTIFIED if locked else (),
        **forms.choices(values, owned),
    )
