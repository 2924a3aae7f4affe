"""An organization's webhook endpoints: registered with a secret shown once, changed, disabled and enabled,
removed. Every change is audited in the organization's log."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.audit import service as audit
from dapp.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from dapp.platform import enqueue_after_commit
from dapp.security import decrypt_secret, encrypt_secret
from dapp.settings import Settings
from dapp.webhooks import addresses, signing
from dapp.webhooks.errors import WebhookNotFound
from dapp.webhooks.schemas import WebhookCreate, WebhookUpdate

RETRY = "webhooks.retry_deliveries"


def create(
    session: Session, actor: Actor, now: datetime, data: WebhookCreate, settings: Settings
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (the only time the secret leaves the platform)."""
    addresses.check_registrable(data.url, settings.webhooks_allow_private_addresses)
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(),
        organization_id=actor.organization_id,
        url=data.url,
        description=data.description,
        events=data.events,
        encrypted_secret=encrypt_secret(settings.secret_key, secret.encode()),
        created_at=now,
    )
    session.add(endpoint)
    _audit(session, actor, now, "webhook.create", endpoint, after=_facts(endpoint))
    return endpoint, secret


def list_endpoints(session: Session, actor: Actor) -> list[WebhookEndpoint]:
    scope = select(WebhookEndpoint).where(WebhookEndpoint.organization_id == actor.organization_id)
    return list(session.scalars(scope.order_by(WebhookEndpoint.created_at)))


def get(session: Session, actor: Actor, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    """The organization's endpoint; another organization's is as absent as a missing one."""
    endpoint = session.scalar(
        select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id, WebhookEndpoint.organization_id == actor.organization_id
        )
    )
    if endpoint is None:
        raise WebhookNotFound("Your organization has no webhook endpoint with this id.")
    return endpoint


def change(
    session: Session, actor: Actor, now: datetime, endpoint_id: uuid.UUID, data: WebhookUpdate, settings: Settings
) -> WebhookEndpoint:
    """Change the URL, events or description; enable or disable."""
    endpoint = get(session, actor, endpoint_id)
    before = _facts(endpoint)
    if data.url is not None:
        endpoint.url = addresses.check_registrable(data.url, settings.webhooks_allow_private_addresses)
    if data.events is not None:
        endpoint.events = data.events
    if data.description is not None:
        endpoint.description = data.description
    if data.is_enabled is True and endpoint.disabled_at is not None:
        _enable(session, endpoint, now)
    elif data.is_enabled is False and endpoint.disabled_at is None:
        endpoint.disabled_at, endpoint.disabled_reason = now, "Disabled by a member of the organization."
    _audit(session, actor, now, "webhook.update", endpoint, before=before, after=_facts(endpoint))
    return endpoint


def remove(session: Session, actor: Actor, now: datetime, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    """Remove an endpoint with its delivery log; nothing more is sent to it."""
    endpoint = get(session, actor, endpoint_id)
    _audit(session, actor, now, "webhook.delete", endpoint, before=_facts(endpoint))
    session.delete(endpoint)
    return endpoint


def secret_of(endpoint: WebhookEndpoint, secret_key: str) -> str:
    return decrypt_secret(secret_key, endpoint.encrypted_secret).decode()


def _enable(session: Session, endpoint: WebhookEndpoint, now: datetime) -> None:
    """Enabled again: the deliveries that were waiting become due now."""
    endpoint.disabled_at, endpoint.disabled_reason = None, None
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == DeliveryStatus.PENDING)
        .values(next_attempt_at=now)
    )
    enqueue_after_commit(session, RETRY)


def _facts(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {"url": endpoint.url, "events": list(endpoint.events), "enabled": endpoint.disabled_at is None}


def _audit(
    session: Session,
    actor: Actor,
    now: datetime,
    action: str,
    endpoint: WebhookEndpoint,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        actor,
        action,
        "webhook_endpoint",
        endpoint.id,
        before=before,
        after=after,
        now=now,
        organization_id=endpoint.organization_id,
    )
