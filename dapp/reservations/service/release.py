"""Releasing devices (R-RES-6): automatically by a periodic job, by hand only when that failed.

The job records the natural end of reservations that reached their end time (logged on chain) and releases every
membership whose time is over, notifying the developers. A developer (or a platform admin) may release a device by
hand only when its membership ended more than `RELEASE_GRACE` ago and is still not released: automatic release
failed. Developers can never take a device out of a reservation that is still running.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor, PlatformAdmin
from dapp.audit import service as audit
from dapp.devices.errors import DeviceNotFound
from dapp.models.accounts import Organization
from dapp.models.devices import Device
from dapp.models.reservations import ChangeKind, Reservation, ReservationDevice
from dapp.reservations.errors import AutomaticReleasePending, DeviceInActiveReservation, DeviceNotReserved, iso
from dapp.reservations.service import log, notices
from dapp.reservations.service.availability import COOLDOWN, RELEASE_GRACE, holds_device
from dapp.reservations.service.listing import membership_state

BATCH = 500


@dataclass(frozen=True)
class Released:
    ended_reservations: int
    released_devices: int


def release_expired(session: Session, now: datetime) -> Released:
    """Record reservations that reached their end, and release every membership whose time is over."""
    ended = _record_natural_ends(session, now)
    members = list(
        session.scalars(
            select(ReservationDevice)
            .where(ReservationDevice.released_at.is_(None), ReservationDevice.active_until <= now)
            .order_by(ReservationDevice.active_until, ReservationDevice.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    _release(session, members, now)
    return Released(ended, len(members))


def _record_natural_ends(session: Session, now: datetime) -> int:
    reservations = list(
        session.scalars(
            select(Reservation)
            .where(Reservation.ended_at.is_(None), Reservation.deleted_at.is_(None), Reservation.period_end <= now)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    for reservation in reservations:
        reservation.ended_at = reservation.period_end
        log.record(session, reservation, ChangeKind.ENDED, now, ended_at=reservation.period_end)
        audit.record(
            session,
            None,
            "reservation.end",
            "reservation",
            reservation.id,
            after={"ended_at": reservation.period_end, "by": "end time reached"},
            now=now,
            organization_id=reservation.buyer_organization_id,
        )
    return len(reservations)


def _release(session: Session, members: list[ReservationDevice], now: datetime) -> None:
    """Mark memberships released and notify, one notice per reservation and end of membership."""
    groups: dict[tuple[uuid.UUID, datetime], list[uuid.UUID]] = defaultdict(list)
    for member in members:
        member.released_at = now
        groups[(member.reservation_id, member.active_until)].append(member.device_id)
    for (reservation_id, until), device_ids in groups.items():
        reservation = session.get_one(Reservation, reservation_id)
        notices.devices_released(
            session, reservation, device_ids, now, counted_until=until, reservable_from=until + COOLDOWN
        )


def release_by_hand(
    session: Session, actor: Actor | PlatformAdmin, now: datetime, device_id: uuid.UUID
) -> list[ReservationDevice]:
    """Release a device whose automatic release failed; the developer's own device, or any for a platform admin."""
    device = session.get(Device, device_id)
    if device is None or (isinstance(actor, Actor) and device.organization_id != actor.organization_id):
        raise DeviceNotFound("Your organization has no such device.")
    members = list(
        session.scalars(
            select(ReservationDevice)
            .where(ReservationDevice.device_id == device.id, ReservationDevice.released_at.is_(None))
            .with_for_update()
        )
    )
    _require_release_failed(device, members, now)
    _release(session, members, now)
    audit.record(
        session,
        actor,
        "device.release",
        "device",
        device.id,
        after={"reservation_ids": sorted(str(m.reservation_id) for m in members), "by": "hand"},
        now=now,
        organization_id=device.organization_id,
    )
    return members


def _require_release_failed(device: Device, members: list[ReservationDevice], now: datetime) -> None:
    if not members:
        raise DeviceNotReserved(f"Device '{device.external_id}' is not waiting to be released.")
    if any(m.active_until > now for m in members):
        raise DeviceInActiveReservation(
            f"Device '{device.external_id}' belongs to a running reservation: only the buyer can take it out, and it "
            "is released automatically when its time in the reservation is over.",
        )
    due = max(m.active_until for m in members) + RELEASE_GRACE
    if due > now:
        raise AutomaticReleasePending(
            f"Device '{device.external_id}' is being released automatically; if it is still not released at "
            f"{due:%Y-%m-%d %H:%M} UTC, you can release it by hand.",
            manual_release_from=iso(due),
        )


@dataclass(frozen=True)
class DeviceReservation:
    device: Device
    member: ReservationDevice
    reservation: Reservation
    buyer_name: str
    state: str
    manual_release_allowed: bool
    reservable_again_at: datetime | None


def reservations_of_my_devices(session: Session, actor: Actor, now: datetime) -> list[DeviceReservation]:
    """For developers: their devices held by a reservation (running, not yet released, or in cool-down)."""
    rows = session.execute(
        select(ReservationDevice, Device, Reservation, Organization.name)
        .join(Device, Device.id == ReservationDevice.device_id)
        .join(Reservation, Reservation.id == ReservationDevice.reservation_id)
        .join(Organization, Organization.id == Reservation.buyer_organization_id)
        .where(Device.organization_id == actor.organization_id, holds_device(now))
        .order_by(Device.external_id, ReservationDevice.active_from)
    ).tuples()
    return [
        DeviceReservation(
            device,
            member,
            reservation,
            buyer,
            membership_state(member, now),
            member.released_at is None and member.active_until + RELEASE_GRACE <= now,
            member.active_until + COOLDOWN if member.active_until <= now else None,
        )
        for member, device, reservation, buyer in rows
    ]
