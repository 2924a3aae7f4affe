"""Forgetting old events and webhook tries (ADR 0122): the event table is the outbox webhooks are fanned out from
and grows with every reservation, read batch and certificate; each try of a delivery adds a row too. Rows older
than the retention setting go, in batches of 1,000 (short transactions, no long lock on a busy table).

An event goes with its deliveries once it is fanned out and none of its deliveries waits for a try; a try goes
when it is old, whatever its delivery's state (the delivery keeps its last status, code and error).
"""

from datetime import datetime

from sqlalchemy import Delete, delete, exists, select
from sqlalchemy.orm import Session

from dapp.models.webhooks import DeliveryStatus, Event, WebhookAttempt, WebhookDelivery

BATCH = 1000


def prune_attempts(session: Session, before: datetime) -> int:
    """Delete up to 1,000 tries made before `before`; returns how many."""
    old = select(WebhookAttempt.id).where(WebhookAttempt.attempted_at < before).limit(BATCH)
    return _deleted(session, delete(WebhookAttempt).where(WebhookAttempt.id.in_(old)))


def prune_events(session: Session, before: datetime) -> int:
    """Delete up to 1,000 fanned-out events that occurred before `before` and have no delivery waiting, with
    their deliveries (and those deliveries' tries); returns how many events."""
    waiting = exists().where(WebhookDelivery.event_id == Event.id, WebhookDelivery.status == DeliveryStatus.PENDING)
    old = list(
        session.scalars(
            select(Event.id)
            .where(Event.occurred_at < before, Event.fanned_out_at.is_not(None), ~waiting)
            .order_by(Event.id)
            .limit(BATCH)
        )
    )
    if not old:
        return 0
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.event_id.in_(old)))
    return _deleted(session, delete(Event).where(Event.id.in_(old)))


def _deleted(session: Session, statement: Delete) -> int:
    return int(getattr(session.execute(statement), "rowcount", 0) or 0)
