"""The scheduler process: every tick, enqueue periodic work. A Redis lock makes sure that two schedulers
never run the same tick. An outage of Redis pauses the ticks (dapp.outages); it never ends the process.

Ticks fall on whole multiples of `scheduler_tick_seconds` of the platform clock (ADR 0125): every issuance window
closes on a whole minute in every zone, so with the default 15 s a window closes on a tick, and its certification
is asked for within the scheduler's poll (a second) of the close, not up to a tick later. Moving the platform clock
over a tick's instant runs that tick at the next poll."""

import logging
from datetime import datetime

from dapp import platform
from dapp.outages import keep_running

LOCK_KEY = "drec:scheduler:tick"  # + ":<period>", the tick's number of periods since the epoch
POLL_SECONDS = 1.0
PERIODIC_JOBS = (
    "issuance.enqueue_due_windows",
    "issuance.enqueue_late_windows",
    "reservations.release_expired",
    "reads.prepare_partitions",
    "notify.send_notification_emails",  # also asked for after each commit that writes one; this catches up
    "chain.submit_outbox",
    "webhooks.fan_out_events",  # also asked for after each commit that records an event; this catches up
    "webhooks.retry_deliveries",
    "webhooks.prune_events",  # hourly on the platform clock
    "irec.sync_registry",
)
log = logging.getLogger(__name__)


def period_of(now: datetime) -> int:
    """The number of whole ticks from the epoch to `now`: the tick that `now` belongs to."""
    return int(now.timestamp() // platform.current().settings.scheduler_tick_seconds)


def tick(period: int) -> bool:
    """Enqueue the periodic jobs of tick `period`, unless another scheduler holds it; True if this one ran it."""
    p = platform.current()
    if not p.redis.set(f"{LOCK_KEY}:{period}", "1", nx=True, ex=2 * p.settings.scheduler_tick_seconds):
        return False
    for name in PERIODIC_JOBS:
        platform.enqueue(name)
    return True


class Ticker:
    """Runs a tick whenever the platform clock has entered a tick other than the last one run."""

    def __init__(self) -> None:
        self.last: int | None = None

    def poll(self) -> None:
        period = period_of(platform.current().clock.now())
        if period != self.last:
            tick(period)
            self.last = period


def run_forever() -> None:
    p = platform.current()
    log.info("scheduler started, one tick every %s s of the platform clock", p.settings.scheduler_tick_seconds)
    keep_running(Ticker().poll, "scheduler", POLL_SECONDS)
