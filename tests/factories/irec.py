"""I-REC device groups, registered and approved through the platform's services and the simulator."""

import uuid

from sqlalchemy import select

from dapp import platform
from dapp.access.permissions import PlatformAdmin
from dapp.irec.service import groups, registration
from dapp.models.accounts import User
from dapp.models.devices import Device
from dapp.models.irec import IrecDeviceGroup, IrecGroupMember
from tests.factories.accounts import make_platform_admin
from tests.support import irec


def group_of(device: Device) -> IrecDeviceGroup:
    p = platform.current()
    with p.db.unit_of_work() as session:
        groups.group_devices(session, p.clock.now(), device.organization_id)
        query = select(IrecDeviceGroup).join(IrecGroupMember).where(IrecGroupMember.device_id == device.id)
        return session.scalars(query).one()


def admin_actor(email: str = "irec-operator@platform.example") -> PlatformAdmin:
    """The platform admin `email` (made on first use)."""
    with platform.current().db.unit_of_work() as session:
        user_id = session.scalars(select(User.id).where(User.email == email)).one_or_none()
    return PlatformAdmin(user_id or make_platform_admin(email).id)


def approve_groups(*devices: Device) -> list[uuid.UUID]:
    """Submit the groups of `devices` and let the simulator approve them; returns the group ids."""
    p = platform.current()
    irec.reset()
    admin = admin_actor()
    group_ids = sorted({group_of(device).id for device in devices}, key=str)
    with p.db.unit_of_work() as session:
        for group_id in group_ids:
            registration.submit(session, admin, p.clock.now(), group_id)
    irec.sync()
    return group_ids
