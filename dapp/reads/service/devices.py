"""The actor's device for a reads use case (tenant-scoped; another organization's device is 'not found')."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.devices.errors import DeviceNotFound
from dapp.models.devices import Device


def own_device(session: Session, actor: Actor, external_id: str) -> Device:
    device = session.scalar(
        select(Device).where(
            Device.organization_id == actor.organization_id, func.lower(Device.external_id) == external_id.lower()
        )
    )
    if device is None:
        raise DeviceNotFound(f"Your organization has no device with external id '{external_id}'.")
    return device


def own_devices(session: Session, actor: Actor) -> list[Device]:
    return list(
        session.scalars(
            select(Device).where(Device.organization_id == actor.organization_id).order_by(Device.external_id)
        )
    )
