"""The scheduler process: every tick, enqueue periodic work. A Redis lock makes sure that two schedulers
never run the same tick."""

import logging
import time

from dapp import platform
from dapp.chain.jobs import submit_outbox_job
from dapp.issuance.jobs import enqueue_due_windows, enqueue_late_windows
from dapp.reads.jobs import prepare_partitions_job
from dapp.reservations.jobs import release_expired_job

LOCK_KEY = "drec:scheduler:tick"
log = logging.getLogger(__name__)


def tick() -> bool:
    """Enqueue this tick's periodic jobs, unless another scheduler holds the tick; True if it ran."""
    p = platform.current()
    if not p.redis.set(LOCK_KEY, "1", nx=True, ex=max(1, p.settings.scheduler_tick_seconds - 1)):
        return False
    p.queue("default").enqueue(enqueue_due_windows)
    p.queue("default").enqueue(enqueue_late_windows)
    p.queue("default").enqueue(release_expired_job)
    p.queue("default").enqueue(prepare_partitions_job)
    p.queue("chain").enqueue(submit_outbox_job)
    return True


def run_forever() -> None:
    p = platform.current()
    log.info("scheduler started, one tick every %s s", p.settings.scheduler_tick_seconds)
    while True:
        tick()
        time.sleep(p.settings.scheduler_tick_seconds)
