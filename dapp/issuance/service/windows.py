"""Issuance use cases: which windows are due, and certifying them."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dapp.issuance.service.certify import certify_late, certify_window
from dapp.models.issuance import Certificate
from dapp.models.reservations import Frequency, Reservation
from dapp.reservations.windows import closed_windows, window_containing, windows


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


# Each `late_energy` row with the parts of its reads that are late energy: accepted reads with energy in its span,
# in a membership of a reservation still in its grace period, before the reservation's issued time ends, that no
# certified range of the device covers. A row whose reads are all covered (or out of grace) comes back once, with
# no reservation: it is done.
LATE_PARTS = text("""
SELECT le.id AS late_id, u.reservation_id, u.part_start, u.part_end
FROM late_energy le
LEFT JOIN LATERAL (
    SELECT DISTINCT res.id AS reservation_id,
           greatest(r.period_start, rd.active_from, res.period_start) AS part_start,
           least(r.period_end, rd.active_until, res.issued_until) AS part_end
    FROM reservation_device rd
    JOIN reservation res ON res.id = rd.reservation_id
    JOIN meter_read r ON r.device_id = rd.device_id AND r.status = 'accepted' AND r.energy_wh > 0
                     AND r.period_start < le.period_end AND r.period_end > le.period_start
                     AND r.period_start < least(rd.active_until, res.issued_until)
                     AND r.period_end > greatest(rd.active_from, res.period_start)
    WHERE rd.device_id = le.device_id
      AND res.issued_until > res.period_start
      AND coalesce(res.ended_at, res.period_end) > :grace_start
      AND NOT EXISTS (
          SELECT 1 FROM certified_energy c
          WHERE c.device_id = r.device_id
            AND tstzrange(c.period_start, c.period_end) && tstzrange(
                greatest(r.period_start, rd.active_from, res.period_start),
                least(r.period_end, rd.active_until, res.issued_until))
      )
) u ON true
""")
DONE = text("DELETE FROM late_energy WHERE id = ANY(:ids)")


def late_windows(session: Session, now: datetime, grace: timedelta) -> list[DueWindow]:
    """Certified windows of reservations still in their grace period that have uncertified energy (R-READ-9).

    Only energy noted as late when it arrived is looked at (`late_energy`, ADR 0124), never the stored reads as a
    whole; notes whose energy is all certified, or out of grace, are deleted. Reads of 0 Wh (night hours) are
    never late energy, so a window whose only uncovered reads are empty is not due."""
    rows = session.execute(LATE_PARTS, {"grace_start": now - grace}).all()
    done = [row.late_id for row in rows if row.reservation_id is None]
    parts = [row for row in rows if row.reservation_id is not None]
    wanted = {row.reservation_id for row in parts}
    reservations = {r.id: r for r in session.scalars(select(Reservation).where(Reservation.id.in_(wanted)))}
    found: set[DueWindow] = set()
    for row in parts:
        found.update(_windows_of_part(reservations[row.reservation_id], row.part_start, row.part_end))
    if done:
        session.execute(DONE, {"ids": done})
    return sorted(found, key=lambda w: (str(w.reservation_id), w.start))


def _windows_of_part(reservation: Reservation, start: datetime, end: datetime) -> set[DueWindow]:
    """The reservation's windows that hold some of [start, end)."""
    frequency = Frequency(reservation.frequency)
    return {
        DueWindow(
            reservation.id,
            *window_containing(
                frequency, reservation.timezone, window_start, reservation.period_start, reservation.period_end
            ),
        )
        for window_start, _ in windows(frequency, reservation.timezone, start, end)
    }


def run_late(session: Session, now: datetime, grace: timedelta) -> list[Certificate]:
    """Certify every late window now (operators and tests; the periodic job enqueues one job a window)."""
    certificates: list[Certificate] = []
    for window in late_windows(session, now, grace):
        certificates += certify_late(session, window.reservation_id, window.start, window.end, now)
    return certificates
