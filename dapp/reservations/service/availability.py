"""Which devices can be reserved (R-RES-2, R-RES-3), and why the others cannot.

A membership holds its device while it is not released, and for 12 hours after it ended. The database's
exclusion constraint makes overlapping memberships impossible; these checks only explain a refusal.
"""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from dapp.errors import Conflict
from dapp.models.devices import Device
from dapp.models.reservations import ReservationDevice
from dapp.reservations.errors import DevicesUnavailable, devices_unavailable

COOLDOWN = timedelta(hours=12)
# Automatic release runs every scheduler tick; a membership ended longer ago than this and still not released
# means automatic release failed, and a person may release the device by hand.
RELEASE_GRACE = timedelta(hours=1)
# Stronger reasons win when a device has several memberships in the way.
REASON_RANK = {"cooldown": 1, "release_pending": 2, "reserved_in_period": 3, "reserved": 4}

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Period = tuple[datetime, datetime]


def holds_device(now: datetime) -> ColumnElement[bool]:
    """The membership keeps its device from being reserved at `now`."""
    return or_(ReservationDevice.released_at.is_(None), ReservationDevice.active_until > now - COOLDOWN)


def reservable_devices_query(now: datetime) -> Select[tuple[Device]]:
    """Devices in no reservation (now or later), released, and out of any reservation for at least 12 hours."""
    busy = exists().where(and_(ReservationDevice.device_id == Device.id, holds_device(now)))
    return select(Device).where(~busy)


def unavailable(
    session: Session, device_ids: set[uuid.UUID], now: datetime, period: Period | None
) -> list[tuple[uuid.UUID, str, datetime | None]]:
    """(device id, reason, when it becomes available) of each device that cannot join a reservation now;
    with `period`, also the devices that belonged to another reservation during that period."""
    existing = set(session.scalars(select(Device.id).where(Device.id.in_(device_ids))))
    in_the_way = holds_device(now)
    if period is not None:
        overlaps = and_(ReservationDevice.active_from < period[1], ReservationDevice.active_until > period[0])
        in_the_way = or_(in_the_way, overlaps)
    memberships = session.scalars(
        select(ReservationDevice).where(ReservationDevice.device_id.in_(existing), in_the_way)
    )
    found: dict[uuid.UUID, tuple[str, datetime | None]] = {}
    for membership in memberships:
        reason, at = _reason(membership, now, period)
        previous = found.get(membership.device_id)
        if previous is None or _stronger((reason, at), previous):
            found[membership.device_id] = (reason, at)
    missing = [(device_id, "not_found", None) for device_id in device_ids - existing]
    return missing + [(device_id, reason, at) for device_id, (reason, at) in found.items()]


def require_available(session: Session, device_ids: set[uuid.UUID], now: datetime, period: Period | None) -> None:
    refused = unavailable(session, device_ids, now, period)
    if refused:
        raise devices_unavailable(refused)


def _reason(membership: ReservationDevice, now: datetime, period: Period | None) -> tuple[str, datetime | None]:
    if membership.active_until > now:
        return "reserved", None
    if period is not None and membership.active_from < period[1] and membership.active_until > period[0]:
        return "reserved_in_period", None
    cooldown_end = membership.active_until + COOLDOWN
    if cooldown_end > now:
        return "cooldown", cooldown_end
    return "release_pending", None


def _stronger(candidate: tuple[str, datetime | None], current: tuple[str, datetime | None]) -> bool:
    if REASON_RANK[candidate[0]] != REASON_RANK[current[0]]:
        return REASON_RANK[candidate[0]] > REASON_RANK[current[0]]
    return (candidate[1] or EPOCH) > (current[1] or EPOCH)


def conflict_on_race() -> Conflict:
    """What a lost race for a device (the exclusion constraint fired) becomes."""
    return DevicesUnavailable(
        "A device was reserved by someone else at the same moment; reload the catalogue and try again.",
    )
