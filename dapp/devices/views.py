"""Pages of devices: My devices and Add device."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dapp import platform
from dapp.accounts.permissions import Module, Permission
from dapp.devices import catalog, service
from dapp.devices.schemas import DeviceCreate
from dapp.errors import DomainError
from dapp.web.pages import PageCall, clean_form, form_errors, page, parse_form
from dapp.web.paging import page_args

bp = Blueprint("devices", __name__)


@bp.get("/devices")
@page(Module.DEVICES, Permission.READ)
def list_devices(call: PageCall) -> str:
    number, size = page_args(request.args)
    devices, total = service.list_page(call.session, call.actor, number, size)
    return render_template(
        "devices/list.html", devices=devices, total=total, page=number, size=size, device_types=catalog.DEVICE_TYPES
    )


@bp.route("/devices/new", methods=["GET", "POST"])
@page(Module.DEVICES, Permission.WRITE)
def new_device(call: PageCall) -> str | tuple[str, int] | Response:
    if request.method == "GET":
        return _form({}, {})
    values = clean_form()
    try:
        with call.session.begin_nested():
            device = service.create(
                call.session, call.actor, platform.current().clock.now(), parse_form(DeviceCreate, values)
            )
    except DomainError as error:
        flash(error.detail, "error")
        return _form(values, form_errors(error)), error.status
    flash(f"Device {device.external_id} registered.", "success")
    return redirect(url_for("devices.list_devices"))


def _form(values: dict[str, str], errors: dict[str, str]) -> str:
    return render_template(
        "devices/new.html",
        values=values,
        errors=errors,
        fuels=catalog.FUELS,
        device_types=catalog.DEVICE_TYPES,
        off_takers=catalog.OFF_TAKERS,
        countries=catalog.country_codes(),
    )
