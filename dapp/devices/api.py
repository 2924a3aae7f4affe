"""/api/v1 routes of devices."""

from flask import request

from dapp import platform
from dapp.accounts.permissions import Module, Permission
from dapp.devices import service
from dapp.devices.schemas import DeviceCreate, DevicePage, DeviceRead
from dapp.web.api import ApiBlueprint, Call
from dapp.web.paging import page_args

api = ApiBlueprint("devices_api", __name__)


@api.endpoint_route(
    "/devices",
    "POST",
    module=Module.DEVICES,
    permission=Permission.WRITE,
    body=DeviceCreate,
    response=DeviceRead,
    status=201,
)
def create_device(call: Call) -> DeviceRead:
    """Register a device."""
    device = service.create(call.session, call.actor, platform.current().clock.now(), call.body)
    return DeviceRead.model_validate(device)


@api.endpoint_route("/devices", "GET", module=Module.DEVICES, permission=Permission.READ, response=DevicePage)
def list_devices(call: Call) -> DevicePage:
    """List the organization's devices, newest first."""
    page, size = page_args(request.args)
    devices, total = service.list_page(call.session, call.actor, page, size)
    return DevicePage(items=[DeviceRead.model_validate(d) for d in devices], page=page, size=size, total=total)


@api.endpoint_route(
    "/devices/<external_id>", "GET", module=Module.DEVICES, permission=Permission.READ, response=DeviceRead
)
def get_device(call: Call, external_id: str) -> DeviceRead:
    """One device by its external id."""
    return DeviceRead.model_validate(service.get_by_external_id(call.session, call.actor, external_id))
