"""Old events and webhook tries are deleted (ADR 0122): hourly on the platform clock, those older than
`event_retention_days`; an event whose delivery still waits for a try stays."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp import platform
from dapp.models.webhooks import DeliveryStatus, Event, WebhookAttempt, WebhookDelivery
from dapp.webhooks.jobs import prune_events_job
from tests.factories.accounts import Org, make_org
from tests.webhooks.support import registered

NOW = datetime(2026, 9, 1, 12, tzinfo=UTC)
OLD, RECENT = NOW - timedelta(days=91), NOW - timedelta(days=89)  # the retention is 90 days


def test_events_and_tries_older_than_the_retention_are_pruned_hourly(app, receiver) -> None:
    p = platform.current()
    p.clock.set(NOW)
    org = make_org("Pruned")
    endpoint = uuid.UUID(registered(app, org, receiver.url, ["reservation.created"])["id"])
    with p.db.unit_of_work() as session:
        delivered_long_ago = _event(session, org, endpoint, OLD, DeliveryStatus.SUCCEEDED)
        still_waiting = _event(session, org, endpoint, OLD, DeliveryStatus.PENDING)
        delivered_lately = _event(session, org, endpoint, RECENT, DeliveryStatus.SUCCEEDED)

    assert prune_events_job() == {"events": 1, "attempts": 1}  # the waiting delivery's old try goes
    assert _left() == ({still_waiting, delivered_lately}, 2, 1)

    with p.db.unit_of_work() as session:
        _event(session, org, endpoint, OLD, DeliveryStatus.FAILED)
    p.clock.set(NOW + timedelta(minutes=59))
    assert prune_events_job() == {"events": 0, "attempts": 0}, "pruned again within the hour"
    p.clock.set(NOW + timedelta(hours=1, minutes=5))
    assert prune_events_job() == {"events": 1, "attempts": 0}
    assert delivered_long_ago not in _left()[0]


def _event(session: Session, org: Org, endpoint: uuid.UUID, when: datetime, status: str) -> int:
    event = Event(
        organization_id=org.actor.organization_id,
        kind="reservation.created",
        data={},
        occurred_at=when,
        fanned_out_at=when,
    )
    session.add(event)
    session.flush()
    delivery = WebhookDelivery(
        endpoint_id=endpoint, event_id=event.id, status=status, attempts=1, next_attempt_at=when, created_at=when
    )
    session.add(delivery)
    session.flush()
    session.add(WebhookAttempt(delivery_id=delivery.id, attempted_at=when, status_code=200, response_ms=5))
    return event.id


def _left() -> tuple[set[int], int, int]:
    """Events, deliveries and tries left."""
    with platform.current().db.unit_of_work() as session:
        events = set(session.scalars(select(Event.id)))
        deliveries = session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0
        return events, deliveries, session.scalar(select(func.count()).select_from(WebhookAttempt)) or 0
