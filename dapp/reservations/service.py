"""Reservation use cases (R-RES): the catalogue of reservable devices and creating a reservation."""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from dapp.accounts.models import Organization, OrganizationType
from dapp.accounts.permissions import Actor
from dapp.chain import outbox
from dapp.chain.models import OutboxKind
from dapp.db import flush_or_raise
from dapp.devices.models import Device
from dapp.errors import Conflict, Forbidden, NotFound, field_error
from dapp.reads.timestamps import zone
from dapp.reservations.models import Reservation, ReservationDevice
from dapp.reservations.schemas import ReservationCreate

BACKDATING_LIMIT = timedelta(days=365)
COOLDOWN = timedelta(hours=12)
WH_PER_MWH = Decimal(1_000_000)


def reservable_devices_query(now: datetime):
    """Devices in no reservation now or later, and out of any reservation for at least the cool-down."""
    busy = exists().where(
        and_(ReservationDevice.device_id == Device.id, ReservationDevice.active_until > now - COOLDOWN)
    )
    return select(Device).where(~busy)


def catalogue(session: Session, now: datetime, default_yield: Decimal) -> list[tuple[Device, int]]:
    """Reservable devices of every organization with their expected annual energy (capacity × yield)."""
    devices = session.scalars(reservable_devices_query(now).order_by(Device.country_code, Device.external_id))
    return [(d, int(d.capacity_kw * (d.yield_kwh_per_kwp or default_yield) * 1000)) for d in devices]


def create(session: Session, actor: Actor, now: datetime, data: ReservationCreate) -> Reservation:
    """Reserve devices for the actor's (buyer) organization; logged on chain through the outbox."""
    buyer = session.get_one(Organization, actor.organization_id)
    if buyer.type != OrganizationType.BUYER:
        raise Forbidden("Only buyer organizations reserve devices.", code="not_a_buyer")
    _validate_period(data, now)
    zone(data.timezone)
    reservation = Reservation(
        buyer_organization_id=buyer.id,
        name=data.name,
        period_start=data.start,
        period_end=data.end,
        frequency=data.frequency.value,
        timezone=data.timezone,
        authority_to_exceed=data.authority_to_exceed,
        target_wh=_target_wh(data),
        standard=data.standard.value,
        wallet_address=data.wallet_address or buyer.blockchain_address,
        issued_until=data.start,
        created_at=now,
    )
    session.add(reservation)
    flush_or_raise(
        session,
        Conflict(
            f"You already have a reservation named '{data.name}'.",
            code="name_taken",
            errors=[{"field": "name", "code": "taken", "message": "already used"}],
        ),
    )
    _add_members(session, reservation, _reservable(session, now, data.device_ids))
    outbox.enqueue(session, OutboxKind.LOG_RESERVATION_CREATED, str(reservation.id), now)
    return reservation


def _validate_period(data: ReservationCreate, now: datetime) -> None:
    if data.end <= data.start:
        raise field_error("end", "The end must be after the start.", "end_before_start")
    if data.start < now - BACKDATING_LIMIT:
        raise field_error("start", "The start may be at most 12 months in the past.", "start_too_old")
    if data.end < now - BACKDATING_LIMIT:
        raise field_error("end", "The end may be at most 12 months in the past.", "end_too_old")
    if not data.authority_to_exceed and data.target_volume_mwh is None:
        raise field_error(
            "target_volume_mwh", "A target volume is needed without authority to exceed.", "target_required"
        )


def _target_wh(data: ReservationCreate) -> int | None:
    return None if data.target_volume_mwh is None else int(data.target_volume_mwh * WH_PER_MWH)


def _reservable(session: Session, now: datetime, device_ids: list[uuid.UUID]) -> list[Device]:
    wanted = set(device_ids)
    found = list(session.scalars(reservable_devices_query(now).where(Device.id.in_(wanted))))
    missing = wanted - {device.id for device in found}
    if missing:
        raise Conflict(
            "Some devices are not reservable: they do not exist, are reserved, or are in the 12-hour "
            "cool-down after a reservation.",
            code="device_unavailable",
            device_ids=sorted(str(device_id) for device_id in missing),
        )
    return found


def _add_members(session: Session, reservation: Reservation, devices: list[Device]) -> None:
    for device in devices:
        session.add(
            ReservationDevice(
                reservation=reservation,
                device_id=device.id,
                active_from=reservation.period_start,
                active_until=reservation.period_end,
            )
        )
    flush_or_raise(
        session,
        Conflict("A device was reserved by someone else at the same moment; try again.", code="device_unavailable"),
    )


def get(session: Session, actor: Actor, reservation_id: uuid.UUID) -> Reservation:
    reservation = session.get(Reservation, reservation_id)
    if reservation is None or reservation.buyer_organization_id != actor.organization_id:
        raise NotFound("No such reservation in your organization.", code="reservation_not_found")
    return reservation


def list_for(session: Session, actor: Actor) -> list[Reservation]:
    return list(
        session.scalars(
            select(Reservation)
            .where(Reservation.buyer_organization_id == actor.organization_id)
            .order_by(Reservation.created_at.desc())
        )
    )
