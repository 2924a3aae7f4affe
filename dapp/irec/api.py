"""/api/v1 routes of I-REC conversion: developers' device groups, the platform's registration of them."""

import uuid

from dapp.access.permissions import Module, Permission
from dapp.irec.errors import (
    DeviceGroupNotFound,
    DevicesInRegisteredGroup,
    DevicesNotFound,
    GroupAlreadySubmitted,
    GroupEmpty,
    GroupMixesCountriesOrFuels,
)
from dapp.irec.schemas import DeviceGroupList, DeviceGroupRead, Regroup
from dapp.irec.service import groups, registration
from dapp.web.api import AdminCall, ApiBlueprint, MemberCall

api = ApiBlueprint("irec_api", __name__)


@api.member_route("/irec/device-groups", "GET", Module.DEVICES, Permission.READ, response=DeviceGroupList)
def list_device_groups(call: MemberCall[None]) -> DeviceGroupList:
    """The organization's I-REC device groups with their devices and registration status (R-IREC-0, R-IREC-4)."""
    views = groups.list_groups(call.session, call.actor.organization_id, call.now)
    return DeviceGroupList(items=[DeviceGroupRead.of(view) for view in views])


@api.member_route(
    "/irec/device-groups",
    "POST",
    Module.DEVICES,
    Permission.UPDATE,
    body=Regroup,
    response=DeviceGroupRead,
    errors=(DevicesInRegisteredGroup, DevicesNotFound, GroupMixesCountriesOrFuels),
)
def regroup_devices(call: MemberCall[Regroup]) -> DeviceGroupRead:
    """Move devices into the named group (made if new); groups left empty and never submitted disappear."""
    group = groups.regroup(call.session, call.actor, call.now, call.body.name, call.body.device_ids)
    return _read(call, group.organization_id, group.id)


@api.admin_route("/admin/irec/device-groups", "GET", response=DeviceGroupList)
def list_all_device_groups(call: AdminCall[None]) -> DeviceGroupList:
    """Every organization's device groups and their registration status (the registry queue)."""
    return DeviceGroupList(
        items=[DeviceGroupRead.of(view) for view in groups.list_groups(call.session, None, call.now)]
    )


@api.admin_route(
    "/admin/irec/device-groups/<uuid:group_id>/submit",
    "POST",
    response=DeviceGroupRead,
    errors=(DeviceGroupNotFound, GroupAlreadySubmitted, GroupEmpty),
)
def submit_device_group(call: AdminCall[None], group_id: uuid.UUID) -> DeviceGroupRead:
    """Submit a group for registration at the I-REC registry (again, after a rejection)."""
    group = registration.submit(call.session, call.actor, call.now, group_id)
    return _read(call, group.organization_id, group.id)


def _read(
    call: AdminCall[None] | MemberCall[Regroup], organization_id: uuid.UUID, group_id: uuid.UUID
) -> DeviceGroupRead:
    view = next(v for v in groups.list_groups(call.session, organization_id, call.now) if v.group.id == group_id)
    return DeviceGroupRead.of(view)
