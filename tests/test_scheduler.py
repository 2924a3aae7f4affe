"""The scheduler ticks on whole multiples of its tick on the platform clock (ADR 0125): once per tick whatever the
number of schedulers, at once when the clock enters a new tick, and on the instant a window closes."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dapp import platform
from dapp.jobs.scheduler import Ticker, period_of
from dapp.platform import QUEUES

# 12:00:00 UTC, a whole multiple of any tick that divides a minute
TICK_INSTANT = datetime(2026, 7, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def default_tick(app, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default 15 s tick (the tests' settings tick every second), so that a loaded machine cannot cross a
    tick between moving the clock and polling."""
    monkeypatch.setattr(platform.current().settings, "scheduler_tick_seconds", 15)


def tick_seconds() -> timedelta:
    return timedelta(seconds=platform.current().settings.scheduler_tick_seconds)


def ticks_run() -> int:
    """How many ticks have enqueued their jobs (one `issuance.enqueue_due_windows` each)."""
    p = platform.current()
    queue = p.queue(QUEUES.get("issuance.enqueue_due_windows", "default"))
    return sum(1 for job in queue.jobs if job.description == "issuance.enqueue_due_windows")


def test_a_tick_runs_once_and_the_next_when_the_clock_enters_it(app) -> None:
    clock, ticker = platform.current().clock, Ticker()
    clock.set(TICK_INSTANT + tick_seconds() * 0.2)
    ticker.poll()
    ticker.poll()
    assert ticks_run() == 1
    clock.set(TICK_INSTANT + tick_seconds() * 0.6)
    ticker.poll()
    assert ticks_run() == 1, "a second tick ran within the same tick"
    clock.set(TICK_INSTANT + tick_seconds() * 1.1)
    ticker.poll()
    assert ticks_run() == 2, "entering the next tick did not run it"


def test_two_schedulers_never_run_the_same_tick(app) -> None:
    platform.current().clock.set(TICK_INSTANT + tick_seconds() * 0.2)
    Ticker().poll()
    Ticker().poll()
    assert ticks_run() == 1


def test_windows_close_on_a_tick_even_in_zones_a_quarter_hour_off(app) -> None:
    hour_in_kathmandu = datetime(2026, 7, 1, 18, tzinfo=ZoneInfo("Asia/Kathmandu"))  # UTC+05:45
    just_before = hour_in_kathmandu - timedelta(microseconds=1)
    assert period_of(hour_in_kathmandu) == period_of(just_before) + 1
    assert hour_in_kathmandu.timestamp() % platform.current().settings.scheduler_tick_seconds == 0
