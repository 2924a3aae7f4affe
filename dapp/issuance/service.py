"""Issuance use cases: which windows are due, and certifying them."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.issuance.certify import certify_window
from dapp.issuance.models import Certificate
from dapp.issuance.windows import closed_windows
from dapp.reservations.models import Frequency, Reservation


@dataclass(frozen=True)
class DueWindow:
    reservation_id: uuid.UUID
    start: datetime
    end: datetime


def due_windows(session: Session, until: datetime) -> list[DueWindow]:
    """Every closed, not yet issued window of every reservation, in time order per reservation."""
    reservations = session.scalars(
        select(Reservation).where(Reservation.issued_until < Reservation.period_end, Reservation.issued_until < until)
    )
    return [
        DueWindow(r.id, start, end)
        for r in reservations
        for start, end in closed_windows(Frequency(r.frequency), r.timezone, r.issued_until, _end(r), until)
    ]


def _end(reservation: Reservation) -> datetime:
    return min(reservation.period_end, reservation.ended_at or reservation.period_end)


def run_until(session: Session, until: datetime, now: datetime) -> list[Certificate]:
    """Certify every window closed by `until` (operators and tests; the scheduler enqueues one job a window)."""
    certificates: list[Certificate] = []
    for window in due_windows(session, until):
        certificates += certify_window(session, window.reservation_id, window.start, window.end, now)
    return certificates
