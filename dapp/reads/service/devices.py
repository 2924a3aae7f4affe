"""The actor's device for a reads use case (tenant-scoped; another organization's device is 'not found')."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.accounts.permissions import Actor
from dapp.devices.models import Device
from dapp.errors import NotFound


def own_device(session: Session, actor: Actor, external_id: str) -> Device:
    device = session.scalar(
        select(Device).where(
            Device.organization_id == actor.organization_id, func.lower(Device.external_id) == external_id.lower()
        )
    )
    if device is None:
        raise NotFound(f"Your organization has no device with external id '{external_id}'.", code="device_not_found")
    return device


def own_devices(session: Session, actor: Actor) -> list[Device]:
    return list(
        session.scalars(
            select(Device).where(Device.organization_id == actor.organization_id).order_by(Device.external_id)
        )
    )
