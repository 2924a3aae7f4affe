"""An endpoint's deliveries: the log (with every try), re-sending one, and sending a test event."""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.models.webhooks import TEST_EVENT, Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from dapp.webhooks.errors import WebhookDeliveryNotFound, WebhookDisabled
from dapp.webhooks.schemas import AttemptRead, DeliveryRead
from dapp.webhooks.service import endpoints
from dapp.webhooks.service.fanout import enqueue_deliveries


def list_page(
    session: Session, actor: Actor, endpoint_id: uuid.UUID, page: int, size: int
) -> tuple[list[DeliveryRead], int]:
    """The endpoint's deliveries, newest first, each with its tries."""
    endpoint = endpoints.get(session, actor, endpoint_id)
    scope = select(WebhookDelivery, Event.public_id, Event.kind).join(Event, Event.id == WebhookDelivery.event_id)
    scope = scope.where(WebhookDelivery.endpoint_id == endpoint.id)
    total = session.scalar(select(func.count()).select_from(scope.subquery())) or 0
    rows = session.execute(scope.order_by(WebhookDelivery.id.desc()).offset((page - 1) * size).limit(size)).all()
    return reads(session, [row._tuple() for row in rows]), total


def reads(session: Session, rows: list[tuple[WebhookDelivery, uuid.UUID, str]]) -> list[DeliveryRead]:
    """Deliveries with their event's id and kind, and their tries (one query for all)."""
    tries: dict[int, list[AttemptRead]] = {}
    attempts = select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_([d.id for d, _, _ in rows]))
    for attempt in session.scalars(attempts.order_by(WebhookAttempt.id)):
        tries.setdefault(attempt.delivery_id, []).append(AttemptRead.model_validate(attempt))
    return [
        DeliveryRead(
            id=d.id,
            event_id=public_id,
            event_kind=kind,
            status=d.status,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at if d.finished_at is None else None,
            last_status_code=d.last_status_code,
            last_response_ms=d.last_response_ms,
            last_error=d.last_error,
            created_at=d.created_at,
            finished_at=d.finished_at,
            tries=tries.get(d.id, []),
        )
        for d, public_id, kind in rows
    ]


def resend(session: Session, actor: Actor, now: datetime, endpoint_id: uuid.UUID, delivery_id: int) -> DeliveryRead:
    """Send a delivery's event again, as a new delivery with a fresh budget of tries (same event id)."""
    endpoint = _enabled(session, actor, endpoint_id)
    old = session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint.id)
    )
    if old is None:
        raise WebhookDeliveryNotFound("This endpoint has no delivery with this id.")
    return _deliver(session, endpoint, session.get_one(Event, old.event_id), now)


def send_test(session: Session, actor: Actor, now: datetime, endpoint_id: uuid.UUID) -> DeliveryRead:
    """A `webhook.test` event delivered to this endpoint only, to check the receiver and its signature check."""
    endpoint = _enabled(session, actor, endpoint_id)
    event = Event(
        public_id=uuid.uuid4(),
        organization_id=endpoint.organization_id,
        kind=TEST_EVENT,
        data={"endpoint_id": str(endpoint.id), "message": "A test event sent from D-REC."},
        occurred_at=now,
        fanned_out_at=now,
    )
    session.add(event)
    session.flush()
    return _deliver(session, endpoint, event, now)


def _enabled(session: Session, actor: Actor, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = endpoints.get(session, actor, endpoint_id)
    if endpoint.disabled_at is not None:
        raise WebhookDisabled("This endpoint is disabled; enable it first, then send again.")
    return endpoint


def _deliver(session: Session, endpoint: WebhookEndpoint, event: Event, now: datetime) -> DeliveryRead:
    delivery = WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id, next_attempt_at=now, created_at=now)
    enqueue_deliveries(session, [delivery])
    session.refresh(delivery)
    return reads(session, [(delivery, event.public_id, event.kind)])[0]
