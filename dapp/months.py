"""Calendar months, counted on dates: issuance windows (in a reservation's zone) and read partitions (in UTC)."""

from datetime import date


def month_start(day: date, later: int = 0) -> date:
    """The first day of the month `later` months after the month of `day` (0: its own month)."""
    index = day.month - 1 + later
    return date(day.year + index // 12, index % 12 + 1, 1)
