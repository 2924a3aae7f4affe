"""Energy of part of a read, by the same cumulative flooring issuance uses (ADR 0007).

For a read of `E` Wh over `[s, e)`, the part `[a, b)` holds `F(b) − F(a)` with `F(x) = ⌊E·(x−s)/(e−s)⌋` on
integer microseconds: parts of a read always add up to exactly `E`, however the read is cut.
"""

from datetime import datetime, timedelta

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
