"""Webhook failures across the platform (R-UI-2): deliveries that gave up or are retrying after failed tries,
and endpoints disabled after persistent failure, each with its organization."""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dapp.admin.schemas import WebhookFailureRead
from dapp.models.accounts import Organization
from dapp.models.webhooks import DeliveryStatus, Event, WebhookDelivery, WebhookEndpoint

LIST_LIMIT = 200


def failures(session: Session) -> list[WebhookFailureRead]:
    """Failed deliveries and deliveries retrying after a failed try, newest first (200)."""
    rows = session.execute(
        select(WebhookDelivery, WebhookEndpoint, Event.kind, Organization.name)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .join(Organization, Organization.id == WebhookEndpoint.organization_id)
        .where(
            or_(
                WebhookDelivery.status == DeliveryStatus.FAILED,
                (WebhookDelivery.status == DeliveryStatus.PENDING) & (WebhookDelivery.attempts > 0),
            )
        )
        .order_by(WebhookDelivery.id.desc())
        .limit(LIST_LIMIT)
    ).tuples()
    return [
        WebhookFailureRead(
            delivery_id=delivery.id,
            status=delivery.status,
            attempts=delivery.attempts,
            event_kind=kind,
            last_status_code=delivery.last_status_code,
            last_response_ms=delivery.last_response_ms,
            last_error=delivery.last_error,
            next_attempt_at=delivery.next_attempt_at if delivery.status == DeliveryStatus.PENDING else None,
            endpoint_id=endpoint.id,
            url=endpoint.url,
            endpoint_disabled_at=endpoint.disabled_at,
            organization_id=endpoint.organization_id,
            organization_name=name,
        )
        for delivery, endpoint, kind, name in rows
    ]
