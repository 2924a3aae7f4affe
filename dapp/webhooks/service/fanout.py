"""From events to deliveries: each new event becomes one delivery per enabled endpoint of its organization that
subscribed to its kind; due deliveries are handed to the worker. Both run in jobs, never in the request that
recorded the event."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.models.accounts import Organization
from dapp.models.webhooks import DeliveryStatus, Event, WebhookDelivery, WebhookEndpoint
from dapp.webhooks.queueing import enqueue_try_after_commit

BATCH = 1000


def fan_out(session: Session, now: datetime) -> int:
    """Fan out up to 1,000 events not yet fanned out (rows locked, so two workers never take the same one);
    returns how many events were taken. Each new delivery's job is enqueued after the commit."""
    events = list(
        session.scalars(
            select(Event)
            .where(Event.fanned_out_at.is_(None))
            .order_by(Event.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    if not events:
        return 0
    endpoints = _subscribed(session, {event.organization_id for event in events})
    deliveries = [
        WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id, next_attempt_at=now, created_at=now)
        for event in events
        for endpoint in endpoints
        if endpoint.organization_id == event.organization_id and event.kind in endpoint.events
    ]
    for event in events:
        event.fanned_out_at = now
    enqueue_deliveries(session, deliveries)
    return len(events)


def enqueue_deliveries(session: Session, deliveries: list[WebhookDelivery]) -> None:
    """Store new deliveries and ask for a try of each after the commit."""
    session.add_all(deliveries)
    session.flush()
    for delivery in deliveries:
        enqueue_try_after_commit(session, delivery.id, 0)


def due_deliveries(session: Session, now: datetime) -> list[int]:
    """Pending deliveries of enabled endpoints whose next try is due (oldest 1,000); a try of each is enqueued
    after the commit. The scheduler asks for this every tick: retries after backoff, and any try whose job was
    lost (Redis out of reach when it was asked for)."""
    due = list(
        session.execute(
            select(WebhookDelivery.id, WebhookDelivery.attempts)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
                WebhookEndpoint.disabled_at.is_(None),
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(BATCH)
        ).tuples()
    )
    for delivery_id, attempts in due:
        enqueue_try_after_commit(session, delivery_id, attempts)
    return [delivery_id for delivery_id, _ in due]


def _subscribed(session: Session, organizations: set[uuid.UUID]) -> list[WebhookEndpoint]:
    """The enabled endpoints of the organizations that are not disabled (a disabled organization hears nothing)."""
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .join(Organization, Organization.id == WebhookEndpoint.organization_id)
            .where(
                WebhookEndpoint.organization_id.in_(organizations),
                WebhookEndpoint.disabled_at.is_(None),
                Organization.disabled_at.is_(None),
            )
        )
    )
