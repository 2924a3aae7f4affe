"""Device use cases (R-DEV-2 … R-DEV-6): registering, finding, listing, editing and deleting devices."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, select, text
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.audit import service as audit
from dapp.db import flush_or_raise
from dapp.devices import rules
from dapp.devices.errors import (
    DeviceHasCertifiedEnergy,
    DeviceInReservation,
    DeviceInUse,
    DeviceNotFound,
    ExternalIdTaken,
)
from dapp.devices.schemas import DeviceCreate, DeviceQuery, DeviceUpdate
from dapp.devices.service import listing
from dapp.errors import Conflict
from dapp.models.devices import Device, Project
from dapp.models.issuance import CertifiedEnergy
from dapp.models.reads import DeviceReadState, HistorySpan, MeterRead, MeterReplacement, RejectedRead
from dapp.models.reservations import ReservationDevice

# What a device's deletion takes with it, dependents first: its own uncertified read data.
DEVICE_DATA = (MeterRead, HistorySpan, RejectedRead, DeviceReadState, MeterReplacement)
# Fields that change history once energy of the device is certified (R-DEV-6).
LOCKED_WHEN_CERTIFIED = ("external_id", "country_code", "commissioning_date")
AUDITED = tuple(rules.LABELS)
EMPTY: dict[str, Any] = {"sdg_benefits": [], "grid_interconnection": False, "energy_storage": False}  # what null means


def create(session: Session, actor: Actor, now: datetime, data: DeviceCreate) -> Device:
    """Register a device for the actor's organization; onboarding is now and never changes."""
    values = data.model_dump()
    rules.raise_if_any(rules.check(values, now))
    _require_project(session, actor, values.get("project_id"))
    _require_free_external_id(session, actor, data.external_id)
    device = Device(organization_id=actor.organization_id, onboarded_at=now, **values)
    session.add(device)
    flush_or_raise(session, _external_id_taken(data.external_id))
    audit.record(session, actor, "device.create", "device", device.id, after=summary(device), now=now)
    return device


def update(session: Session, actor: Actor, now: datetime, external_id: str, data: DeviceUpdate) -> Device:
    """Change the fields sent; external id, country and commissioning date are fixed once energy is certified."""
    device = get_by_external_id(session, actor, external_id, for_update=True)
    sent = {k: EMPTY.get(k) if v is None and k in EMPTY else v for k, v in data.model_dump(exclude_unset=True).items()}
    changes = {k: v for k, v in sent.items() if getattr(device, k) != v}
    _refuse_clearing_mandatory(changes)
    if any(field in changes for field in LOCKED_WHEN_CERTIFIED) and has_certified_energy(session, device.id):
        _refuse_locked(changes)
    values = {**summary(device), **changes}
    moved = any(field in changes for field in rules.LOCATION)
    if moved and "timezone" not in changes:
        values["timezone"] = None  # derive it again for the new place
    rules.raise_if_any(rules.check(values, device.onboarded_at, resolve_timezone=moved))
    _require_history_after_commissioning(session, device, values)
    _require_project(session, actor, values.get("project_id"))
    renamed_to = changes.get("external_id")
    if renamed_to is not None and renamed_to.lower() != device.external_id.lower():
        _require_free_external_id(session, actor, renamed_to)
    before = summary(device)
    for field, value in values.items():
        setattr(device, field, value)
    device.updated_at = now
    flush_or_raise(session, _external_id_taken(values["external_id"]))
    changed_before, changed_after = audit.changes(before, summary(device))
    audit.record(session, actor, "device.update", "device", device.id, changed_before, changed_after, now=now)
    return device


def delete_device(session: Session, actor: Actor, now: datetime, external_id: str) -> None:
    """Delete a device that has no certified energy and was never reserved; its uncertified reads go with it.

    Anything else that still refers to the device makes the deletion a conflict, never a silent cascade.
    """
    device = get_by_external_id(session, actor, external_id, for_update=True)
    if has_certified_energy(session, device.id):
        raise DeviceHasCertifiedEnergy(
            f"Device '{device.external_id}' has certified energy: it stays in the registry as a legal record.",
        )
    if session.scalar(select(exists().where(ReservationDevice.device_id == device.id))):
        raise DeviceInReservation(
            f"Device '{device.external_id}' is or was in a buyer's reservation, whose record names it.",
        )
    for model in DEVICE_DATA:
        session.execute(delete(model).where(model.device_id == device.id))
    before = summary(device)
    session.delete(device)
    flush_or_raise(
        session,
        DeviceInUse(f"Device '{device.external_id}' is still referenced by other records."),
    )
    audit.record(session, actor, "device.delete", "device", device.id, before=before, now=now)


def get_by_external_id(session: Session, actor: Actor, external_id: str, *, for_update: bool = False) -> Device:
    """The actor's device with this external id; another organization's device is 'not found'."""
    query = select(Device).where(
        Device.organization_id == actor.organization_id,
        func.lower(Device.external_id) == external_id.lower(),
    )
    device = session.scalar(query.with_for_update() if for_update else query)
    if device is None:
        raise DeviceNotFound(f"Your organization has no device with external id '{external_id}'.")
    return device


def list_page(
    session: Session,
    actor: Actor,
    page: int,
    size: int,
    query: DeviceQuery | None = None,
    now: datetime | None = None,
) -> tuple[list[Device], int]:
    """One page of the organization's devices matching `query` (newest first by default), and the total."""
    statement = listing.filtered(actor.organization_id, query or DeviceQuery(), now)
    # Filters differ wildly in selectivity ("School" vs. a 3-year range): plan each request with its own values,
    # never with the generic plan PostgreSQL may settle on for a statement psycopg has prepared (ADR 0021).
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    rows = session.scalars(statement.limit(size).offset((page - 1) * size))
    return list(rows), total


def reserved_ids(session: Session, device_ids: list[uuid.UUID], now: datetime) -> set[uuid.UUID]:
    """Which of these devices are in a reservation now or later."""
    rows = session.scalars(
        select(ReservationDevice.device_id).where(
            ReservationDevice.device_id.in_(device_ids), ReservationDevice.active_until > now
        )
    )
    return set(rows)


def has_certified_energy(session: Session, device_id: uuid.UUID) -> bool:
    """Whether any energy of the device was certified (a certified_energy row of the device)."""
    return bool(session.scalar(select(exists().where(CertifiedEnergy.device_id == device_id))))


def summary(device: Device) -> dict[str, Any]:
    """The device's editable values, by field name."""
    return {field: getattr(device, field) for field in AUDITED}


def _refuse_clearing_mandatory(changes: dict[str, Any]) -> None:
    cleared = [field for field in rules.MANDATORY if field in changes and changes[field] is None]
    if cleared:
        rules.raise_if_any(
            [rules.Problem(f, "required", f"{rules.LABELS[f]} is required and cannot be removed.") for f in cleared]
        )


def _refuse_locked(changes: dict[str, Any]) -> None:
    locked = [field for field in LOCKED_WHEN_CERTIFIED if field in changes]
    message = "cannot change: energy of this device is certified, and changing it would rewrite that history."
    rules.raise_if_any([rules.Problem(f, "locked_after_certification", f"{rules.LABELS[f]} {message}") for f in locked])


def _require_history_after_commissioning(session: Session, device: Device, values: dict[str, Any]) -> None:
    if values["commissioning_date"] == device.commissioning_date:
        return
    first = session.scalar(
        select(func.min(MeterRead.period_start)).where(
            MeterRead.device_id == device.id, MeterRead.read_type == "history"
        )
    )
    if first is not None and first.date() < values["commissioning_date"]:
        raise rules.invalid(
            "commissioning_date",
            "commissioning_after_reads",
            f"The device has history reads from {first.date()}: the commissioning date cannot be later than that.",
        )


def _require_project(session: Session, actor: Actor, project_id: uuid.UUID | None) -> None:
    if project_id is None:
        return
    found = session.scalar(
        select(Project.id).where(Project.id == project_id, Project.organization_id == actor.organization_id)
    )
    if found is None:
        raise rules.invalid("project_id", "project_not_found", "Your organization has no such project.")


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
    return ExternalIdTaken(
        f"Your organization already has a device with external id '{external_id}'.",
        errors=[{"field": "external_id", "code": "taken", "message": "already used"}],
    )
