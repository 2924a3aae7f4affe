"""Device use cases (R-DEV): registering, finding and listing an organization's devices."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.accounts.permissions import Actor
from dapp.db import flush_or_raise
from dapp.devices import catalog, timezones
from dapp.devices.models import Device
from dapp.devices.schemas import DeviceCreate
from dapp.errors import Conflict, NotFound, field_error


def create(session: Session, actor: Actor, now: datetime, data: DeviceCreate) -> Device:
    """Register a device for the actor's organization; onboarding is now."""
    _validate(data, now)
    _require_free_external_id(session, actor, data.external_id)
    device = Device(
        organization_id=actor.organization_id,
        onboarded_at=now,
        timezone=timezones.resolve(data.country_code, data.latitude, data.longitude, data.timezone),
        **data.model_dump(exclude={"timezone"}),
    )
    session.add(device)
    flush_or_raise(session, _external_id_taken(data.external_id))
    return device


def _validate(data: DeviceCreate, now: datetime) -> None:
    if catalog.country_name(data.country_code) is None:
        raise field_error("country_code", f"Unknown country '{data.country_code}': use an ISO 3166-1 alpha-3 code.")
    _require_code("fuel_code", data.fuel_code, list(catalog.FUELS))
    _require_code("device_type_code", data.device_type_code, list(catalog.DEVICE_TYPES))
    if data.off_taker is not None:
        _require_code("off_taker", data.off_taker, catalog.OFF_TAKERS)
    if data.commissioning_date > now.date():
        raise field_error(
            "commissioning_date", "The commissioning date cannot be in the future.", "commissioning_in_future"
        )


def _require_code(field: str, value: str, accepted: list[str]) -> None:
    if value not in accepted:
        raise field_error(field, f"Unknown value '{value}'; accepted: {', '.join(accepted)}.", "unknown_value")


def _require_free_external_id(session: Session, actor: Actor, external_id: str) -> None:
    taken = session.scalar(
        select(Device.id).where(
            Device.organization_id == actor.organization_id,
            func.lower(Device.external_id) == external_id.lower(),
        )
    )
    if taken:
        raise _external_id_taken(external_id)


def _external_id_taken(external_id: str) -> Conflict:
    return Conflict(
        f"Your organization already has a device with external id '{external_id}'.",
        code="external_id_taken",
        errors=[{"field": "external_id", "code": "taken", "message": "already used"}],
    )


def get_by_external_id(session: Session, actor: Actor, external_id: str) -> Device:
    """The actor's device with this external id; another organization's device is 'not found'."""
    device = session.scalar(
        select(Device).where(
            Device.organization_id == actor.organization_id,
            func.lower(Device.external_id) == external_id.lower(),
        )
    )
    if device is None:
        raise NotFound(f"Your organization has no device with external id '{external_id}'.", code="device_not_found")
    return device


def list_page(session: Session, actor: Actor, page: int, size: int) -> tuple[list[Device], int]:
    scope = select(Device).where(Device.organization_id == actor.organization_id)
    total = session.scalar(select(func.count()).select_from(scope.subquery())) or 0
    rows = session.scalars(scope.order_by(Device.onboarded_at.desc(), Device.id).limit(size).offset((page - 1) * size))
    return list(rows), total
