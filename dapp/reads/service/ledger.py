"""The energy ledger of a device for any period (R-READ-13): every Wh reported is certified, waiting (with a
reason) or rejected, and the three add up to what was reported.

Reads are cut at the period's bounds with the pro-rata rule issuance uses (dapp.reads.energy), so the ledgers
of adjacent periods add up to the ledger of their union. Uncertified energy of an accepted read is waiting:
`not_reserved` where no reservation held the device, `window_open` where one did and its window is still to be
issued, `window_closed` where its window was issued without it (a late read, or the excess over a target).
A rejected read counts whole in the period of its last instant; one whose timestamps could not be read
(`bad_timestamp`) counts in the period of the instant it was received (ADR 0036). A rejected read sent again and
since stored (a stored read ends where it ended) is not reported twice: it is listed apart as re-sent. Reads
naming no device of the organization are not stored and belong to no ledger.
"""

import uuid
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.models.issuance import CertifiedEnergy
from dapp.models.reads import MeterRead, ReadStatus, RejectedRead
from dapp.models.reservations import Reservation, ReservationDevice
from dapp.reads.energy import ends_in, part_wh, rejected_in, subtract
from dapp.reads.schemas import LedgerRead, WaitingEnergy
from dapp.reads.service.devices import own_device

Interval = tuple[datetime, datetime]


def device_ledger(session: Session, actor: Actor, external_id: str, start: datetime, end: datetime) -> LedgerRead:
    device = own_device(session, actor, external_id)
    sums: Counter[str] = Counter()
    certified = _certified(session, device.id, start, end)
    memberships = _memberships(session, device.id, start, end)
    for read in _reads(session, device.id, start, end):
        _account(read, (start, end), certified, memberships, sums)
    for _, range_end, excess in certified:
        if start < range_end <= end and excess:
            sums["certified"] -= excess
            sums["window_closed"] += excess
    rejected_wh, rejected_reads, resent_wh, resent_reads = _rejected(session, device.id, start, end)
    waiting = {k: sums[k] for k in ("baseline", "not_reserved", "window_open", "window_closed", "flagged")}
    return LedgerRead(
        device_external_id=device.external_id,
        start=start,
        end=end,
        reported_wh=sums["certified"] + sum(waiting.values()) + sums["dismissed"] + rejected_wh,
        certified_wh=sums["certified"],
        waiting=WaitingEnergy(**{f"{k}_wh": v for k, v in waiting.items()}, total_wh=sum(waiting.values())),
        rejected_wh=sums["dismissed"] + rejected_wh,
        rejected_reads=rejected_reads,
        resent_wh=resent_wh,
        resent_reads=resent_reads,
    )


def _reads(session: Session, device_id: uuid.UUID, start: datetime, end: datetime) -> list[Any]:
    return list(
        session.execute(
            select(MeterRead.status, MeterRead.period_start, MeterRead.period_end, MeterRead.energy_wh).where(
                MeterRead.device_id == device_id,
                MeterRead.period_end > start,
                or_(MeterRead.period_start < end, and_(MeterRead.period_start.is_(None), MeterRead.period_end <= end)),
            )
        )
    )


def _certified(
    session: Session, device_id: uuid.UUID, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, int]]:
    rows = session.execute(
        select(CertifiedEnergy.period_start, CertifiedEnergy.period_end, CertifiedEnergy.excess_wh).where(
            CertifiedEnergy.device_id == device_id,
            CertifiedEnergy.period_end > start,
            CertifiedEnergy.period_start < end,
        )
    )
    return [(r.period_start, r.period_end, r.excess_wh) for r in rows]


def _memberships(
    session: Session, device_id: uuid.UUID, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, datetime]]:
    """(from, until, issued_until) of each reservation that held the device in the period."""
    rows = session.execute(
        select(ReservationDevice.active_from, ReservationDevice.active_until, Reservation.issued_until)
        .join(Reservation, Reservation.id == ReservationDevice.reservation_id)
        .where(
            ReservationDevice.device_id == device_id,
            ReservationDevice.active_until > start,
            ReservationDevice.active_from < end,
        )
    )
    return [(r.active_from, r.active_until, r.issued_until) for r in rows]


def _account(
    read: Any,
    period: Interval,
    certified: list[tuple[datetime, datetime, int]],
    memberships: list[tuple[datetime, datetime, datetime]],
    sums: Counter[str],
) -> None:
    if read.status == ReadStatus.BASELINE:
        if ends_in(read.period_end, *period):
            sums["baseline"] += read.energy_wh
        return
    s, e, energy = read.period_start, read.period_end, read.energy_wh
    a, b = max(s, period[0]), min(e, period[1])
    if read.status != ReadStatus.ACCEPTED:
        key = "flagged" if read.status == ReadStatus.FLAGGED else "dismissed"
        sums[key] += part_wh(energy, s, e, a, b)
        return
    done = [(max(x, a), min(y, b)) for x, y, _ in certified if x < b and y > a]
    sums["certified"] += sum(part_wh(energy, s, e, x, y) for x, y in done)
    for gap in subtract((a, b), done):
        for key, (x, y) in _classify(gap, memberships):
            sums[key] += part_wh(energy, s, e, x, y)


def _classify(gap: Interval, memberships: list[tuple[datetime, datetime, datetime]]) -> list[tuple[str, Interval]]:
    """Pieces of an uncertified gap: reserved and issued (window_closed), reserved and open, not reserved."""
    pieces: list[tuple[str, Interval]] = []
    held: list[Interval] = []
    for active_from, active_until, issued_until in memberships:
        x, y = max(gap[0], active_from), min(gap[1], active_until)
        if x >= y:
            continue
        held.append((x, y))
        closed_end = min(y, max(x, issued_until))
        if closed_end > x:
            pieces.append(("window_closed", (x, closed_end)))
        if y > closed_end:
            pieces.append(("window_open", (closed_end, y)))
    pieces += [("not_reserved", piece) for piece in subtract(gap, held)]
    return pieces


def _rejected(session: Session, device_id: uuid.UUID, start: datetime, end: datetime) -> tuple[int, int, int, int]:
    """(Wh, reads) of the rejected reads counted in the period, then (Wh, reads) of those sent again and since
    stored (a stored read of the device ends where the rejected one ended): their energy is the stored read's,
    counted once, so they are listed apart and not reported again."""
    row = session.execute(rejected_sums(device_id, start, end)).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def rejected_sums(device_id: uuid.UUID, start: datetime, end: datetime) -> Select[Any]:
    """The statement of `_rejected`. A re-sent read ends where the rejected one ended, inside the period, and says
    so in constants (`ends_in`): the plan holds only the partitions of the period's months. Bound by the rejected
    read's column alone, it held every month's partition, twice, and planning it cost more the longer the
    registry had run (200 ms with 60 months; issue 21)."""
    resent = (
        select(MeterRead.period_end)
        .where(
            MeterRead.device_id == RejectedRead.device_id,
            MeterRead.period_end == RejectedRead.period_end,
            ends_in(MeterRead.period_end, start, end),
            MeterRead.status != ReadStatus.DISMISSED,
        )
        .exists()
    )
    energy = func.coalesce(RejectedRead.energy_wh, 0)
    return select(
        func.coalesce(func.sum(energy).filter(~resent), 0),
        func.count().filter(~resent),
        func.coalesce(func.sum(energy).filter(resent), 0),
        func.count().filter(resent),
    ).where(RejectedRead.device_id == device_id, rejected_in(start, end))
