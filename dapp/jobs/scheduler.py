"""The scheduler process: every tick, enqueue periodic work. A Redis lock makes sure that two schedulers
never run the same tick. An outage of Redis pauses the ticks (dapp.outages); it never ends the process."""

import logging

from dapp import platform
from dapp.outages import keep_running

LOCK_KEY = "drec:scheduler:tick"
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


def tick() -> bool:
    """Enqueue this tick's periodic jobs, unless another scheduler holds the tick; True if it ran."""
    p = platform.current()
    if not p.redis.set(LOCK_KEY, "1", nx=True, ex=max(1, p.settings.scheduler_tick_seconds - 1)):
        return False
    for name in PERIODIC_JOBS:
        platform.enqueue(name)
    return True


def run_forever() -> None:
    p = platform.current()
    log.info("scheduler started, one tick every %s s", p.settings.scheduler_tick_seconds)
    keep_running(tick, "scheduler", p.settings.scheduler_tick_seconds)
