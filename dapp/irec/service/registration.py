"""Registration of device groups at the I-REC registry (R-IREC-4): only the platform submits, never a developer.

An admin's submission marks the group `submitted` and asks for `irec.sync_registry` after the commit; that job
sends it (client key = group id and round, so a repeat after a timeout or a crash never registers twice) and
follows the registry's decision on each run. A registry that does not answer leaves the group submitted for the
next run; a refusal or a rejection is stored with the registry's reason.
"""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.access.permissions import PlatformAdmin
from dapp.audit import service as audit
from dapp.irec import notices
from dapp.irec.errors import DeviceGroupNotFound, GroupAlreadySubmitted, GroupEmpty
from dapp.irec.registry import DeviceGroupSpec, Registration, Registry, RegistryRefused, RegistryUnavailable
from dapp.models.accounts import Organization
from dapp.models.devices import Device
from dapp.models.irec import IrecDeviceGroup, IrecGroupMember, RegistrationStatus
from dapp.platform import enqueue_after_commit


def submit(session: Session, admin: PlatformAdmin, now: datetime, group_id: uuid.UUID) -> IrecDeviceGroup:
    """Submit a group (again, after a rejection) for registration at the registry."""
    group = session.get(IrecDeviceGroup, group_id, with_for_update=True)
    if group is None:
        raise DeviceGroupNotFound()
    if group.registration_status in (RegistrationStatus.SUBMITTED, RegistrationStatus.APPROVED):
        raise GroupAlreadySubmitted(f"Group {group.name} is {group.registration_status} already.")
    if not _devices(session, group):
        raise GroupEmpty(f"Group {group.name} has no devices.")
    before = {"status": group.registration_status}
    group.registration_status = RegistrationStatus.SUBMITTED
    group.registration_round += 1
    group.registry_id = group.registration_reason = group.decided_at = None
    group.submitted_at = now
    audit.record(
        session, admin, "irec.submit_group", "irec_device_group", group.id, before=before,
        after={"status": group.registration_status, "round": group.registration_round}, now=now,
        organization_id=group.organization_id,
    )  # fmt: skip
    enqueue_after_commit(session, "irec.sync_registry")
    return group


def submitted_groups(session: Session) -> list[uuid.UUID]:
    query = select(IrecDeviceGroup.id).where(IrecDeviceGroup.registration_status == RegistrationStatus.SUBMITTED)
    return list(session.scalars(query.order_by(IrecDeviceGroup.submitted_at)))


def follow(session: Session, registry: Registry, now: datetime, group_id: uuid.UUID) -> str:
    """Send a submitted group to the registry if not yet sent, else read its decision; returns its status."""
    group = session.get(IrecDeviceGroup, group_id, with_for_update=True)
    if group is None or group.registration_status != RegistrationStatus.SUBMITTED:
        return group.registration_status if group else RegistrationStatus.NOT_REGISTERED
    try:
        answer = _ask(session, registry, group)
    except RegistryUnavailable:
        return group.registration_status
    except RegistryRefused as refused:
        answer = Registration(group.registry_id or "", RegistrationStatus.REJECTED, refused.reason)
    group.registry_id = answer.id or group.registry_id
    if answer.status in (RegistrationStatus.APPROVED, RegistrationStatus.REJECTED):
        group.registration_status, group.registration_reason, group.decided_at = answer.status, answer.reason, now
        audit.record(
            session, None, f"irec.group_{answer.status}", "irec_device_group", group.id,
            after={"status": answer.status, "reason": answer.reason}, now=now, organization_id=group.organization_id,
        )  # fmt: skip
        notices.group_decided(session, group, now)
    return group.registration_status


def _ask(session: Session, registry: Registry, group: IrecDeviceGroup) -> Registration:
    if group.registry_id is not None:
        return registry.registration(group.registry_id)
    return registry.register_group(f"group-{group.id}-{group.registration_round}", _spec(session, group))


def _spec(session: Session, group: IrecDeviceGroup) -> DeviceGroupSpec:
    devices = _devices(session, group)
    organization = session.get_one(Organization, group.organization_id)
    return DeviceGroupSpec(
        name=group.name,
        country=group.country_code,
        fuel=group.fuel_code,
        device_type=",".join(sorted({d.device_type_code for d in devices})),
        organization=organization.name,
        capacity_kw=str(sum(d.capacity_kw for d in devices)),
        devices=sorted(str(d.id) for d in devices),
    )


def _devices(session: Session, group: IrecDeviceGroup) -> list[Device]:
    query = select(Device).join(IrecGroupMember, IrecGroupMember.device_id == Device.id)
    return list(session.scalars(query.where(IrecGroupMember.group_id == group.id)))
