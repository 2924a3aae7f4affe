"""Asking for a try of a delivery, once per try.

The scheduler asks for every due delivery on each tick (`webhooks.retry_deliveries`); while the webhooks worker
is behind (a receiver that times out on every try holds it 10 s a time), the same due delivery would be queued
again on every tick and the backlog would grow by itself. A Redis marker per delivery and try number, set when
the try is queued and removed when its job ends, makes a second request a no-op meanwhile; it expires after ten
minutes, so a try whose job was lost (a worker killed) is asked for again.
"""

from functools import partial

from sqlalchemy.orm import Session

from dapp import platform
from dapp.db import after_commit

DELIVER = "webhooks.deliver_webhook"
MARK_SECONDS = 600


def marker(delivery_id: int, attempts: int) -> str:
    return f"drec:webhooks:queued:{delivery_id}:{attempts}"


def enqueue_try(delivery_id: int, attempts: int) -> None:
    """Queue the delivery's try number `attempts + 1` unless it is queued already."""
    if platform.current().redis.set(marker(delivery_id, attempts), 1, nx=True, ex=MARK_SECONDS):
        platform.enqueue(DELIVER, delivery_id, attempts)


def enqueue_try_after_commit(session: Session, delivery_id: int, attempts: int) -> None:
    after_commit(session, partial(enqueue_try, delivery_id, attempts), key=(DELIVER, delivery_id, attempts))
