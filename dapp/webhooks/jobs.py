"""RQ jobs of webhooks, on the `webhooks` queue (its own worker: a slow receiver delays only webhooks)."""

from dapp import platform
from dapp.webhooks import queueing
from dapp.webhooks.service import attempts, fanout


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
