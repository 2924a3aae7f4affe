"""RQ jobs of webhooks, on the `webhooks` queue (its own worker: a slow receiver delays only webhooks)."""

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dapp import platform
from dapp.webhooks import queueing
from dapp.webhooks.service import attempts, fanout, pruning

PRUNED_KEY = "drec:webhooks:pruned:last-run"  # the platform-clock instant of the last pass


def fan_out_events_job() -> int:
    """webhooks.fan_out_events: turn new events into deliveries to the subscribed endpoints; returns the number of
    events taken. Asked for after every commit that records an event, and on every scheduler tick."""
    p = platform.current()
    taken = fanout.BATCH
    total = 0
    while taken == fanout.BATCH:
        with p.db.unit_of_work() as session:
            taken = fanout.fan_out(session, p.clock.now())
        total += taken
    return total


def deliver_webhook_job(delivery_id: int, tries_before: int = 0) -> None:
    """webhooks.deliver_webhook: one try of the delivery, if it is due (running it twice sends nothing twice);
    `tries_before` names the try it was queued for, whose marker it removes when it ends."""
    p = platform.current()
    try:
        with p.db.unit_of_work() as session:
            attempts.try_delivery(session, delivery_id, p.clock.now(), p.settings)
    finally:
        p.redis.delete(queueing.marker(delivery_id, tries_before))


def retry_deliveries_job() -> int:
    """webhooks.retry_deliveries: enqueue a try of every delivery whose next try is due (each scheduler tick)."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        return len(fanout.due_deliveries(session, p.clock.now()))


def prune_events_job() -> dict[str, int]:
    """webhooks.prune_events: once an hour of platform time, delete events and webhook tries older than
    `event_retention_days`, 1,000 rows a transaction; returns how many of each."""
    p = platform.current()
    if not platform.due_every(PRUNED_KEY, timedelta(hours=1)):
        return {"events": 0, "attempts": 0}
    before = p.clock.now() - timedelta(days=p.settings.event_retention_days)
    events = _in_batches(pruning.prune_events, before)
    return {"events": events, "attempts": _in_batches(pruning.prune_attempts, before)}


def _in_batches(prune: Callable[[Session, datetime], int], before: datetime) -> int:
    total = 0
    while True:
        with platform.current().db.unit_of_work() as session:
            deleted = prune(session, before)
        total += deleted
        if deleted < pruning.BATCH:
            return total
