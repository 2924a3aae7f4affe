"""One try of a delivery, in the worker: signed, sent, logged; then done, backing off, or given up (and the
endpoint disabled with a notice to its organization).

The delivery's row stays locked during the try, so two workers never send it at once; a try is bounded by the
timeout setting, and a delivery that is no longer due (sent, given up, backing off, endpoint disabled) is left as
it is, which makes the job idempotent.
"""

import time
from datetime import datetime, timedelta

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.models.notify import NotificationKind
from dapp.models.webhooks import DeliveryStatus, Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from dapp.notify import service as notify
from dapp.settings import Settings
from dapp.webhooks import sending, signing
from dapp.webhooks.service.endpoints import secret_of


def try_delivery(session: Session, delivery_id: int, now: datetime, settings: Settings) -> sending.Answer | None:
    """Send the delivery once if it is due; None when there was nothing to do."""
    row = session.execute(
        select(WebhookDelivery, WebhookEndpoint, Event)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id == delivery_id)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    ).first()
    if row is None:
        return None
    delivery, endpoint, event = row._tuple()
    if delivery.status != DeliveryStatus.PENDING or delivery.next_attempt_at > now or endpoint.disabled_at:
        return None
    body = envelope(event)
    answer = sending.post(
        endpoint.url,
        body,
        headers(delivery, event, signing.signature(secret_of(endpoint, settings.secret_key), int(time.time()), body)),
        settings.webhook_timeout_seconds,
        settings.webhooks_allow_private_addresses,
    )
    _record(session, delivery, endpoint, answer, now, settings)
    return answer


def envelope(event: Event) -> bytes:
    """The body every receiver gets: the event's id (the same on every try), kind, instant, organization, data."""
    return orjson.dumps(
        {
            "id": str(event.public_id),
            "type": event.kind,
            "created_at": event.occurred_at,
            "organization_id": str(event.organization_id),
            "data": event.data,
        }
    )


def headers(delivery: WebhookDelivery, event: Event, signature: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        signing.HEADER: signature,
        "Drec-Event-Id": str(event.public_id),
        "Drec-Event-Type": event.kind,
        "Drec-Delivery-Id": str(delivery.id),
    }


def backoff(attempts: int, settings: Settings) -> timedelta:
    """The wait after the `attempts`-th failed try: base × 2^(attempts − 1), at most the maximum."""
    seconds = settings.webhook_retry_base_seconds * 2 ** (attempts - 1)
    return timedelta(seconds=min(seconds, settings.webhook_retry_max_seconds))


def _record(
    session: Session,
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    answer: sending.Answer,
    now: datetime,
    settings: Settings,
) -> None:
    delivery.attempts += 1
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            attempted_at=now,
            status_code=answer.status_code,
            response_ms=answer.response_ms,
            error=answer.error,
        )
    )
    delivery.last_status_code, delivery.last_response_ms = answer.status_code, answer.response_ms
    delivery.last_error = answer.error
    if answer.ok:
        delivery.status, delivery.finished_at = DeliveryStatus.SUCCEEDED, now
    elif delivery.attempts >= settings.webhook_max_attempts:
        delivery.status, delivery.finished_at = DeliveryStatus.FAILED, now
        _disable(session, endpoint, delivery, now)
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts, settings)


def _disable(session: Session, endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime) -> None:
    """Persistent failure: the endpoint gets nothing more until a member enables it, and its organization is told."""
    endpoint.disabled_at = now
    endpoint.disabled_reason = (
        f"Disabled after {delivery.attempts} failed tries of delivery {delivery.id}: {delivery.last_error}"
    )[:500]
    notify.notify(
        session,
        endpoint.organization_id,
        NotificationKind.WEBHOOK_DISABLED,
        "A webhook endpoint was disabled",
        f"Deliveries to {endpoint.url} failed {delivery.attempts} times in a row (last: {delivery.last_error}). "
        "Nothing more is sent to it until you enable it again on the Webhooks page; waiting deliveries resume then.",
        now,
    )
