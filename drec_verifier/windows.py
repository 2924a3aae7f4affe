"""Issuance windows recomputed (R-ISS-1): calendar-exact in the reservation's issuance zone, the first and last
clipped to the reservation's period; used to check that every certificate's window is one of them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

QUARTER_MONTHS = (1, 4, 7, 10)


def window_start(instant: datetime, frequency: str, zone: ZoneInfo) -> datetime:
    """The start of the window of `frequency` holding `instant`, unclipped."""
    local = instant.astimezone(zone)
    if frequency == "hourly":
        return local.replace(minute=0, second=0, microsecond=0)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    if frequency == "weekly":
        day -= timedelta(days=day.weekday())
    elif frequency == "monthly":
        day = day.replace(day=1)
    elif frequency == "quarterly":
        day = day.replace(day=1, month=max(m for m in QUARTER_MONTHS if m <= day.month))
    return day.replace(tzinfo=zone)


def next_start(start: datetime, frequency: str, zone: ZoneInfo) -> datetime:
    """The start of the window after the one starting at `start` (a window start in `zone`)."""
    if frequency == "hourly":
        return (start + timedelta(hours=1)).astimezone(zone)
    local = start.astimezone(zone).replace(tzinfo=None)
    if frequency in ("daily", "weekly"):
        local += timedelta(days=1 if frequency == "daily" else 7)
    else:
        months = local.month - 1 + (1 if frequency == "monthly" else 3)
        local = local.replace(year=local.year + months // 12, month=months % 12 + 1)
    return local.replace(tzinfo=zone)


def is_window(start: datetime, end: datetime, frequency: str, zone: ZoneInfo, first: datetime, last: datetime) -> bool:
    """Whether [start, end) is a window of the reservation running [first, last) (either end may be clipped)."""
    natural = window_start(start, frequency, zone)
    boundary = next_start(natural, frequency, zone)
    starts_right = start in (natural, first)
    ends_right = end == boundary or (end == last and end < boundary)
    return starts_right and ends_right
