"""The energy ledger of a device for any period (R-READ-13): every Wh reported is certified, waiting (with a
reason) or rejected, and the three add up to what was reported.

Reads are cut at the period's bounds, and at the bounds of what was certified, with the split rule issuance uses:
the rule of the reservation holding the device during the read (the latest one if several; ADR 0100), by time
(dapp.reads.energy) outside any reservation. Every piece of a read is cut under that one rule, so the pieces add
up to the read and the ledgers of adjacent periods add up to the ledger of their union.

Uncertified energy of an accepted read is waiting: `not_reserved` where no reservation held the device,
`window_open` where one did and its window is still to be issued, `window_closed` where its window was issued
without it (a late read, or the excess over a target). A rejected read counts whole in the period of its last
instant; one whose timestamps could not be read (`bad_timestamp`) counts in the period of the instant it was
received (ADR 0036). A rejected read sent again and since stored (a stored read ends where it ended) is not
reported twice: it is listed apart as re-sent. Reads naming no device of the organization are not stored and
belong to no ledger.
"""

import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.models.issuance import CertifiedEnergy
from dapp.models.reads import MeterRead, ReadStatus, RejectedRead
from dapp.models.reservations import Reservation, ReservationDevice, SplitRule
from dapp.reads.energy import MICROSECOND, ends_in, part_wh, rejected_in, subtract
from dapp.reads.locations import Location, locate
from dapp.reads.schemas import LedgerRead, WaitingEnergy
from dapp.reads.service.devices import own_device
from dapp.reads.splits import Cuts, Integers, solar_parts

Interval = tuple[datetime, datetime]
Membership = tuple[datetime, datetime, datetime, str]  # from, until, issued_until, split rule
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Piece(NamedTuple):
    """The part [start, end) of `read` that the ledger counts under `key`."""

    key: str
    read: Any
    start: datetime
    end: datetime


def device_ledger(session: Session, actor: Actor, external_id: str, start: datetime, end: datetime) -> LedgerRead:
    device = own_device(session, actor, external_id)
    sums: Counter[str] = Counter()
    certified = _certified(session, device.id, start, end)
    memberships = _memberships(session, device.id, start, end)
    pieces = [
        p
        for read in _reads(session, device.id, start, end)
        for p in _pieces(read, (start, end), certified, memberships, sums)
    ]
    place = locate(device.latitude, device.longitude, device.country_code)
    for piece, energy in zip(pieces, _energies(pieces, memberships, place), strict=True):
        sums[piece.key] += energy
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


def _memberships(session: Session, device_id: uuid.UUID, start: datetime, end: datetime) -> list[Membership]:
    """(from, until, issued_until, split rule) of each reservation that held the device in the period."""
    rows = session.execute(
        select(
            ReservationDevice.active_from,
            ReservationDevice.active_until,
            Reservation.issued_until,
            Reservation.split_rule,
        )
        .join(Reservation, Reservation.id == ReservationDevice.reservation_id)
        .where(
            ReservationDevice.device_id == device_id,
            ReservationDevice.active_until > start,
            ReservationDevice.active_from < end,
        )
    )
    return [(r.active_from, r.active_until, r.issued_until, r.split_rule) for r in rows]


def _pieces(
    read: Any,
    period: Interval,
    certified: list[tuple[datetime, datetime, int]],
    memberships: list[Membership],
    sums: Counter[str],
) -> list[Piece]:
    """The pieces of `read` in the period, by what became of them; a baseline counts whole, in `sums`."""
    if read.status == ReadStatus.BASELINE:
        if ends_in(read.period_end, *period):
            sums["baseline"] += read.energy_wh
        return []
    a, b = max(read.period_start, period[0]), min(read.period_end, period[1])
    if read.status != ReadStatus.ACCEPTED:
        return [Piece("flagged" if read.status == ReadStatus.FLAGGED else "dismissed", read, a, b)]
    done = [(max(x, a), min(y, b)) for x, y, _ in certified if x < b and y > a]
    pieces = [Piece("certified", read, x, y) for x, y in done]
    for gap in subtract((a, b), done):
        pieces += [Piece(key, read, x, y) for key, (x, y) in _classify(gap, memberships)]
    return pieces


def _energies(pieces: list[Piece], memberships: list[Membership], place: Location | None) -> list[int]:
    """The Wh of each piece: under `split-solar/1` where the reservation holding its read follows the sun and the
    profile is not flat, else by time."""
    energies: list[int | None] = [None] * len(pieces)
    solar = [i for i, p in enumerate(pieces) if _rule(p.read, memberships) == SplitRule.SOLAR]
    if solar and place is not None:
        chosen = [pieces[i] for i in solar]
        cuts = Cuts(
            np.full(len(chosen), place.latitude),
            np.full(len(chosen), place.longitude),
            _microseconds([p.read.period_start for p in chosen]),
            _microseconds([p.read.period_end for p in chosen]),
            _microseconds([p.start for p in chosen]),
            _microseconds([p.end for p in chosen]),
            [p.read.energy_wh for p in chosen],
        )
        for i, energy in zip(solar, solar_parts(cuts), strict=True):
            energies[i] = energy
    return [
        part_wh(p.read.energy_wh, p.read.period_start, p.read.period_end, p.start, p.end) if e is None else e
        for p, e in zip(pieces, energies, strict=True)
    ]


def _microseconds(instants: list[datetime]) -> Integers:
    return np.array([(i - EPOCH) // MICROSECOND for i in instants], dtype=np.int64)


def _rule(read: Any, memberships: list[Membership]) -> str:
    """The split rule of the latest reservation holding the device during `read`, else the split by time."""
    holding = [m for m in memberships if m[0] < read.period_end and m[1] > read.period_start]
    return max(holding, key=lambda m: m[0])[3] if holding else SplitRule.TIME


def _classify(gap: Interval, memberships: list[Membership]) -> list[tuple[str, Interval]]:
    """Pieces of an uncertified gap: reserved and issued (window_closed), reserved and open, not reserved."""
    pieces: list[tuple[str, Interval]] = []
    held: list[Interval] = []
    for active_from, active_until, issued_until, _ in memberships:
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
