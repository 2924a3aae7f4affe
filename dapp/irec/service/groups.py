"""Device groups (R-IREC-0): every device of an organization sits in one group, by default the automatic group of
its organization, country, fuel and device type; developers regroup their own devices into named groups of one
country and fuel. Devices of a group submitted to or approved by the registry stay where they are."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.audit import service as audit
from dapp.irec.errors import DevicesInRegisteredGroup, DevicesNotFound, GroupMixesCountriesOrFuels
from dapp.models.devices import Device
from dapp.models.irec import IrecDeviceGroup, IrecGroupMember, RegistrationStatus

LOCKED = (RegistrationStatus.SUBMITTED, RegistrationStatus.APPROVED)


@dataclass(frozen=True)
class GroupView:
    group: IrecDeviceGroup
    devices: list[Device]


def group_devices(session: Session, now: datetime, organization_id: uuid.UUID | None = None) -> int:
    """Put every device without a group (of one organization, or of all) into its automatic group; returns how
    many were placed."""
    query = select(Device).outerjoin(IrecGroupMember, IrecGroupMember.device_id == Device.id)
    query = query.where(IrecGroupMember.device_id.is_(None))
    if organization_id is not None:
        query = query.where(Device.organization_id == organization_id)
    devices = list(session.scalars(query.order_by(Device.id)))
    for device in devices:
        session.add(IrecGroupMember(device_id=device.id, group_id=_automatic_group(session, device, now).id))
    session.flush()
    return len(devices)


def _automatic_group(session: Session, device: Device, now: datetime) -> IrecDeviceGroup:
    key = (device.organization_id, device.country_code, device.fuel_code, device.device_type_code)
    query = select(IrecDeviceGroup).where(
        IrecDeviceGroup.is_automatic,
        IrecDeviceGroup.organization_id == key[0],
        IrecDeviceGroup.country_code == key[1],
        IrecDeviceGroup.fuel_code == key[2],
        IrecDeviceGroup.device_type_code == key[3],
    )
    group = session.scalars(query).one_or_none()
    if group is None:
        name = f"{device.country_code} {device.fuel_code} {device.device_type_code} (automatic)"
        group = IrecDeviceGroup(
            organization_id=key[0], name=name, country_code=key[1], fuel_code=key[2], device_type_code=key[3],
            is_automatic=True, registration_status=RegistrationStatus.NOT_REGISTERED, created_at=now,
        )  # fmt: skip
        session.add(group)
        session.flush()
    return group


def list_groups(session: Session, organization_id: uuid.UUID | None, now: datetime) -> list[GroupView]:
    """The groups with their devices (of one organization, or every group for the platform), grouping first."""
    group_devices(session, now, organization_id)
    groups = select(IrecDeviceGroup).order_by(IrecDeviceGroup.country_code, IrecDeviceGroup.name)
    if organization_id is not None:
        groups = groups.where(IrecDeviceGroup.organization_id == organization_id)
    members = select(IrecGroupMember.group_id, Device).join(Device, Device.id == IrecGroupMember.device_id)
    by_group: dict[uuid.UUID, list[Device]] = {}
    for group_id, device in session.execute(members.order_by(Device.external_id)):
        by_group.setdefault(group_id, []).append(device)
    return [GroupView(group, by_group.get(group.id, [])) for group in session.scalars(groups)]


def regroup(session: Session, actor: Actor, now: datetime, name: str, device_ids: list[uuid.UUID]) -> IrecDeviceGroup:
    """Move the actor's devices into the group named `name` (made if new); emptied groups that were never
    submitted disappear."""
    group_devices(session, now, actor.organization_id)
    devices = _own_devices(session, actor, device_ids)
    _require_one_country_and_fuel(devices)
    group = _named_group(session, actor, name, devices[0], now)
    if (group.country_code, group.fuel_code) != (devices[0].country_code, devices[0].fuel_code):
        raise GroupMixesCountriesOrFuels(
            f"Group {group.name} is for {group.country_code}/{group.fuel_code}; these devices are "
            f"{devices[0].country_code}/{devices[0].fuel_code}.",
            kinds=f"{group.country_code}/{group.fuel_code}",
        )
    members = list(session.scalars(select(IrecGroupMember).where(IrecGroupMember.device_id.in_(device_ids))))
    _require_movable(session, {group.id, *(m.group_id for m in members)})
    before = {str(m.device_id): str(m.group_id) for m in members}
    for member in members:
        member.group_id = group.id
    session.flush()
    _drop_empty_groups(session, actor.organization_id)
    audit.record(
        session, actor, "irec.regroup", "irec_device_group", group.id, before=before,
        after={"group": group.name, "devices": sorted(before)}, now=now,
    )  # fmt: skip
    return group


def _own_devices(session: Session, actor: Actor, device_ids: list[uuid.UUID]) -> list[Device]:
    query = select(Device).where(Device.id.in_(device_ids), Device.organization_id == actor.organization_id)
    devices = list(session.scalars(query))
    missing = sorted(str(d) for d in set(device_ids) - {d.id for d in devices})
    if missing or not devices:
        raise DevicesNotFound(f"No such device(s) in your organization: {', '.join(missing)}.", device_ids=missing)
    return devices


def _require_one_country_and_fuel(devices: list[Device]) -> None:
    kinds = sorted({(d.country_code, d.fuel_code) for d in devices})
    if len(kinds) > 1:
        names = ", ".join(f"{country}/{fuel}" for country, fuel in kinds)
        raise GroupMixesCountriesOrFuels(
            f"A device group has one country and one fuel; these devices have {names}.", kinds=names
        )


def _named_group(session: Session, actor: Actor, name: str, device: Device, now: datetime) -> IrecDeviceGroup:
    query = select(IrecDeviceGroup).where(
        IrecDeviceGroup.organization_id == actor.organization_id, func.lower(IrecDeviceGroup.name) == name.lower()
    )
    group = session.scalars(query).one_or_none()
    if group is None:
        group = IrecDeviceGroup(
            organization_id=actor.organization_id, name=name, country_code=device.country_code,
            fuel_code=device.fuel_code, device_type_code=None, is_automatic=False,
            registration_status=RegistrationStatus.NOT_REGISTERED, created_at=now,
        )  # fmt: skip
        session.add(group)
        session.flush()
    return group


def _require_movable(session: Session, group_ids: set[uuid.UUID]) -> None:
    query = select(IrecDeviceGroup).where(
        IrecDeviceGroup.id.in_(group_ids), IrecDeviceGroup.registration_status.in_(LOCKED)
    )
    locked = list(session.scalars(query))
    if locked:
        names = ", ".join(sorted(g.name for g in locked))
        raise DevicesInRegisteredGroup(
            f"Some devices are in groups submitted to or approved by the I-REC registry ({names}); they cannot move.",
            groups=sorted(str(g.id) for g in locked),
        )


def _drop_empty_groups(session: Session, organization_id: uuid.UUID) -> None:
    has_members = select(IrecGroupMember.group_id).distinct()
    session.execute(
        delete(IrecDeviceGroup).where(
            IrecDeviceGroup.organization_id == organization_id,
            IrecDeviceGroup.registration_status == RegistrationStatus.NOT_REGISTERED,
            IrecDeviceGroup.id.not_in(has_members),
        )
    )
