"""Energy of part of a read, by the same cumulative flooring issuance uses (ADR 0007).

For a read of `E` Wh over `[s, e)`, the part `[a, b)` holds `F(b) − F(a)` with `F(x) = ⌊E·(x−s)/(e−s)⌋` on
integer microseconds: parts of a read always add up to exactly `E`, however the read is cut. A read that is
counted whole (a baseline, a rejection, a row of a list) belongs to the period holding its last instant; a
rejected read whose timestamps could not be read has no instants of its own and belongs to the period holding
the instant it was received (ADR 0036).
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from dapp.models.reads import RejectedRead

MICROSECOND = timedelta(microseconds=1)


def cumulative_wh(energy_wh: int, start: datetime, end: datetime, at: datetime) -> int:
    return energy_wh * ((at - start) // MICROSECOND) // ((end - start) // MICROSECOND)


def part_wh(energy_wh: int, start: datetime, end: datetime, part_start: datetime, part_end: datetime) -> int:
    """The Wh of `[part_start, part_end)` (inside `[start, end)`) of a read of `energy_wh` over `[start, end)`."""
    if part_end <= part_start:
        return 0
    return cumulative_wh(energy_wh, start, end, part_end) - cumulative_wh(energy_wh, start, end, part_start)


def subtract(
    interval: tuple[datetime, datetime], holes: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """`interval` minus the `holes`, as sorted disjoint intervals."""
    pieces, cursor = [], interval[0]
    for a, b in sorted(holes):
        if b <= cursor or a >= interval[1]:
            continue
        if a > cursor:
            pieces.append((cursor, a))
        cursor = max(cursor, b)
    if cursor < interval[1]:
        pieces.append((cursor, interval[1]))
    return pieces


def ends_in(end: Any, period_start: datetime, period_end: datetime) -> Any:
    """Whether a read ending at `end` has its last instant in `[period_start, period_end)`, i.e. `end` lies in
    `(period_start, period_end]` (ADR 0034). `end` is a datetime or a SQL column: the result is a bool or a
    SQL condition."""
    return (end > period_start) & (end <= period_end)


def rejected_in(period_start: datetime, period_end: datetime) -> ColumnElement[bool]:
    """SQL condition: the rejected reads that belong to `[period_start, period_end)`, by their last instant or,
    without one (`bad_timestamp`), by `received_at` in `[period_start, period_end)`."""
    unreadable = and_(
        RejectedRead.period_end.is_(None),
        RejectedRead.received_at >= period_start,
        RejectedRead.received_at < period_end,
    )
    return or_(ends_in(RejectedRead.period_end, period_start, period_end), unreadable)
