"""Ending or deleting a reservation (R-RES-6).

A reservation that issued nothing is deleted: it disappears from the buyer's lists, its devices are free at once,
and the log on chain records that it ended. One that issued certificates ends at the end of the current issuance
window (issuance stops there; its devices are released by the periodic job once that time has passed).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.audit import service as audit
from dapp.models.issuance import Certificate
from dapp.models.reservations import ChangeKind, Reservation
from dapp.reservations.service import log, notices
from dapp.reservations.service.listing import get
from dapp.reservations.service.timing import current_window_end, require_open


@dataclass(frozen=True)
class Ending:
    reservation: Reservation
    deleted: bool
    ended_at: datetime


def end(session: Session, actor: Actor, now: datetime, reservation_id: uuid.UUID) -> Ending:
    """Delete the reservation if it issued nothing, else end it at the end of the current window."""
    reservation = get(session, actor, reservation_id, for_update=True)  # issuance locks it too: no race
    require_open(reservation, now)
    issued = session.scalar(select(exists().where(Certificate.reservation_id == reservation.id)))
    ending = _end_at_window(session, reservation, now) if issued else _delete(session, reservation, now)
    log.record(session, reservation, ChangeKind.ENDED, now, ended_at=ending.ended_at)
    audit.record(
        session,
        actor,
        "reservation.end" if issued else "reservation.delete",
        "reservation",
        reservation.id,
        {"period_end": reservation.period_end},
        {"ended_at": ending.ended_at, "deleted": ending.deleted},
        now=now,
    )
    return ending


def _end_at_window(session: Session, reservation: Reservation, now: datetime) -> Ending:
    ended_at = current_window_end(reservation, now)
    reservation.ended_at = ended_at
    for member in list(reservation.members):
        if member.active_from >= ended_at:
            session.delete(member)  # added for later and never effective
        elif member.active_until > ended_at:
            member.active_until = ended_at
    return Ending(reservation, deleted=False, ended_at=ended_at)


def _delete(session: Session, reservation: Reservation, now: datetime) -> Ending:
    freed = [m.device_id for m in reservation.members if m.released_at is None]
    counted_until = min(now, max((m.active_until for m in reservation.members), default=now))
    for member in list(reservation.members):
        session.delete(member)
    reservation.deleted_at = now
    reservation.ended_at = now
    if freed:
        began = now > reservation.period_start
        notices.devices_released(
            session, reservation, freed, now, counted_until=counted_until if began else None, reservable_from=now
        )
    return Ending(reservation, deleted=True, ended_at=now)
