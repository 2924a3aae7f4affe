"""Changing a reservation's devices (R-RES-5).

Additions count from now (or from the start of a reservation that has not begun). Removals take effect at the
end of the current issuance window: the device's energy up to then still belongs to the reservation. A removal
in a reservation that has not begun (or of a device added for later) takes effect at once. The frequency never
changes.
"""

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.audit import service as audit
from dapp.db import flush_or_raise
from dapp.errors import field_error
from dapp.models.reservations import ChangeKind, Reservation, ReservationDevice
from dapp.reservations.errors import DEVICE_CHANGE_REFUSALS, NothingToChange
from dapp.reservations.schemas import ReservationPatch
from dapp.reservations.service import log, notices
from dapp.reservations.service.availability import conflict_on_race, require_available
from dapp.reservations.service.irec import require_irec_approved
from dapp.reservations.service.listing import get
from dapp.reservations.service.timing import current_window_end, require_open


def change_devices(
    session: Session, actor: Actor, now: datetime, reservation_id: uuid.UUID, data: ReservationPatch
) -> Reservation:
    """Add and remove devices of one of the buyer's reservations; logged on chain, developers notified."""
    reservation = get(session, actor, reservation_id, for_update=True)
    if data.frequency is not None and data.frequency.value != reservation.frequency:
        raise field_error(
            "frequency",
            f"The issuance frequency is fixed at creation ({reservation.frequency}); create a new reservation "
            "for another frequency.",
            "frequency_immutable",
        )
    require_open(reservation, now)
    add, remove = set(data.add_device_ids), set(data.remove_device_ids)
    current = {m.device_id: m for m in reservation.members if m.removed_at is None}
    _check_request(add, remove, current)
    require_irec_approved(session, reservation.standard, add - current.keys())
    added = _add(session, reservation, add, now)
    removed, released = _remove(session, reservation, [current[d] for d in remove], now)
    flush_or_raise(session, conflict_on_race())
    remaining = (current.keys() - remove) | add
    document = log.devices_document(reservation.id, remaining, added, removed)
    log.record(session, reservation, ChangeKind.DEVICES_CHANGED, now, document=document)
    counted_from = max(now, reservation.period_start)  # as `_add` makes the memberships
    notices.devices_reserved(
        session, reservation, [d for d in added if d not in removed], now, counted_from=counted_from
    )
    if released:
        notices.devices_released(session, reservation, released, now, counted_until=None, reservable_from=now)
    before = {"device_ids": sorted(str(d) for d in current)}
    after = {"device_ids": document["device_ids"], "added": document["added"], "removed": document["removed"]}
    audit.record(session, actor, "reservation.change_devices", "reservation", reservation.id, before, after, now=now)
    session.expire(reservation, ["members"])
    return reservation


def _check_request(add: set[uuid.UUID], remove: set[uuid.UUID], current: dict[uuid.UUID, ReservationDevice]) -> None:
    if not add and not remove:
        raise NothingToChange("Name devices to add or to remove.")
    errors = []
    if add & remove:
        errors.append(
            ("add_device_ids", "added_and_removed", "A device cannot be added and removed at once.", add & remove)
        )
    if add & current.keys():
        errors.append(
            ("add_device_ids", "already_in_reservation", "Already in this reservation.", add & current.keys())
        )
    if remove - current.keys():
        errors.append(("remove_device_ids", "not_in_reservation", "Not in this reservation.", remove - current.keys()))
    if not errors and not (current.keys() - remove) | add:
        errors.append(
            ("remove_device_ids", "no_devices_left", "A reservation keeps at least one device: end it instead.", remove)
        )
    if errors:
        raise DEVICE_CHANGE_REFUSALS[errors[0][1]](
            " ".join(message for _, _, message, _ in errors),
            errors=[
                {"field": name, "code": code, "message": message, "device_ids": sorted(str(d) for d in ids)}
                for name, code, message, ids in errors
            ],
        )


def _add(session: Session, reservation: Reservation, add: set[uuid.UUID], now: datetime) -> dict[uuid.UUID, datetime]:
    """New memberships from now; a device whose removal is still pending simply stays."""
    start = max(now, reservation.period_start)  # as the notice says (`change_devices`)
    staying = {
        m.device_id: m
        for m in reservation.members
        if m.device_id in add and m.removed_at is not None and m.released_at is None and m.active_until > now
    }
    for member in staying.values():
        member.removed_at = None
        member.active_until = reservation.period_end
    fresh = add - staying.keys()
    if fresh:
        require_available(session, fresh, now, (start, reservation.period_end))
    for device_id in sorted(fresh, key=str):
        session.add(
            ReservationDevice(
                reservation=reservation, device_id=device_id, active_from=start, active_until=reservation.period_end
            )
        )
    return {device_id: staying[device_id].active_from if device_id in staying else start for device_id in add}


def _remove(
    session: Session, reservation: Reservation, members: list[ReservationDevice], now: datetime
) -> tuple[dict[uuid.UUID, datetime], list[uuid.UUID]]:
    """(device → end of its membership) for every removal, and the devices whose membership never began (it is
    deleted: they are free at once)."""
    boundary = current_window_end(reservation, now)
    removed: dict[uuid.UUID, datetime] = {}
    released: list[uuid.UUID] = []
    for member in members:
        if now < member.active_from:
            removed[member.device_id] = now
            released.append(member.device_id)
            session.delete(member)
            continue
        member.active_until = min(member.active_until, boundary)
        member.removed_at = now
        removed[member.device_id] = member.active_until
    return removed, released
