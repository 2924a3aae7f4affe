"""Issuance windows (R-ISS-1): calendar-exact, half-open, in the reservation's zone, DST-safe, clipped."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from dapp.models.reservations import Frequency
from dapp.reservations.windows import closed_windows, windows


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_daily_windows_around_a_dst_change_have_their_true_length() -> None:
    spans = list(windows(Frequency.DAILY, "Europe/Berlin", utc(2026, 3, 27, 23), utc(2026, 3, 30, 22)))
    assert [end - start for start, end in spans] == [timedelta(hours=24), timedelta(hours=23), timedelta(hours=24)]
    assert spans[1] == (utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))


def test_weekly_windows_start_on_iso_monday_midnight_local() -> None:
    spans = list(windows(Frequency.WEEKLY, "Africa/Nairobi", utc(2026, 6, 1, 0), utc(2026, 6, 20)))
    assert spans[0] == (utc(2026, 6, 1, 0), utc(2026, 6, 7, 21))  # Monday 8 June 00:00 EAT = 7 June 21:00 UTC
    assert spans[1][1] - spans[1][0] == timedelta(days=7)


def test_monthly_windows_follow_real_month_lengths() -> None:
    spans = list(windows(Frequency.MONTHLY, "UTC", utc(2026, 1, 1), utc(2026, 4, 1)))
    assert [(end - start).days for start, end in spans] == [31, 28, 31]


def test_quarterly_windows_start_on_january_april_july_october() -> None:
    spans = list(windows(Frequency.QUARTERLY, "UTC", utc(2026, 2, 10), utc(2027, 1, 1)))
    assert [start for start, _ in spans] == [utc(2026, 2, 10), utc(2026, 4, 1), utc(2026, 7, 1), utc(2026, 10, 1)]


def test_hourly_windows_follow_local_hours_in_half_hour_zones() -> None:
    [first, second] = windows(Frequency.HOURLY, "Asia/Kolkata", utc(2026, 6, 1, 0, 0), utc(2026, 6, 1, 1, 30))
    assert first == (utc(2026, 6, 1, 0, 0), utc(2026, 6, 1, 0, 30))  # 05:30 → 06:00 IST
    assert second == (utc(2026, 6, 1, 0, 30), utc(2026, 6, 1, 1, 30))


@pytest.mark.parametrize("frequency", list(Frequency))
def test_windows_tile_the_period_without_gap_or_overlap(frequency: Frequency) -> None:
    start, end = utc(2026, 1, 7, 13, 17), utc(2026, 5, 3, 4, 5)
    spans = list(windows(frequency, "America/Sao_Paulo", start, end))
    assert spans[0][0] == start
    assert spans[-1][1] == end
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))


def test_only_closed_windows_are_due() -> None:
    due = closed_windows(Frequency.DAILY, "UTC", utc(2026, 6, 1, 10), utc(2026, 7, 1), utc(2026, 6, 3, 5))
    assert due == [(utc(2026, 6, 1, 10), utc(2026, 6, 2)), (utc(2026, 6, 2), utc(2026, 6, 3))]
