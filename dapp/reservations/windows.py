"""Issuance windows (R-ISS-1): calendar-exact, half-open, in the reservation's IANA time zone.

Boundaries are computed as local wall-clock times (midnight, Monday, first of month or quarter) and converted
to UTC, so days around DST changes have their true length (23 or 25 hours).
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dapp.models.reservations import Frequency
from dapp.months import month_start


def _local(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _floor(instant: datetime, frequency: Frequency, zone: ZoneInfo) -> datetime:
    """The start of the window containing `instant`."""
    local = instant.astimezone(zone)
    if frequency == Frequency.HOURLY:
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    day = local.date()
    if frequency == Frequency.WEEKLY:
        day -= timedelta(days=day.weekday())
    elif frequency == Frequency.MONTHLY:
        day = month_start(day)
    elif frequency == Frequency.QUARTERLY:
        day = month_start(day, -((day.month - 1) % 3))
    return _local(day, zone)


def _next(boundary: datetime, frequency: Frequency, zone: ZoneInfo) -> datetime:
    """The window boundary after `boundary` (itself a boundary)."""
    if frequency == Frequency.HOURLY:
        return boundary + timedelta(hours=1)
    day = boundary.astimezone(zone).date()
    if frequency == Frequency.DAILY:
        return _local(day + timedelta(days=1), zone)
    if frequency == Frequency.WEEKLY:
        return _local(day + timedelta(days=7), zone)
    return _local(month_start(day, 1 if frequency == Frequency.MONTHLY else 3), zone)


def windows(
    frequency: Frequency, zone_name: str, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """Every window overlapping `[start, end)`, clipped to it."""
    zone = ZoneInfo(zone_name)
    boundary = _floor(start, frequency, zone)
    while boundary < end:
        following = _next(boundary, frequency, zone)
        yield max(boundary, start), min(following, end)
        boundary = following


def closed_windows(
    frequency: Frequency, zone_name: str, issued_until: datetime, period_end: datetime, now: datetime
) -> list[tuple[datetime, datetime]]:
    """Windows from `issued_until` that have closed by `now` (the reservation end clips the last one)."""
    return [w for w in windows(frequency, zone_name, issued_until, period_end) if w[1] <= now]


def window_containing(
    frequency: Frequency, zone_name: str, instant: datetime, start: datetime, end: datetime
) -> tuple[datetime, datetime]:
    """The window of the period `[start, end)` that contains `instant` (clipped to the period like all windows)."""
    zone = ZoneInfo(zone_name)
    boundary = _floor(instant, frequency, zone)
    return max(boundary, start), min(_next(boundary, frequency, zone), end)
