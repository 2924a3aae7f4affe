"""API keys for machines (R-ACC-8): created with a subset of the creator's permissions, listed, revoked."""

import secrets
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.access.permissions import (
    READ_ONLY,
    Actor,
    grants_within,
    names,
    parse_grants,
    require_person,
    within_type,
)
from dapp.accounts.errors import ApiKeyAlreadyRevoked, ApiKeyNotFound
from dapp.accounts.schemas import ApiKeyCreate
from dapp.audit import service as audit
from dapp.errors import field_error
from dapp.models.accounts import API_KEY_PREFIX, ApiKey
from dapp.security import token_hash


def create_api_key(session: Session, actor: Actor, data: ApiKeyCreate, now: datetime) -> tuple[ApiKey, str]:
    """A new key for the actor's organization; returns the row and the secret (shown once)."""
    creator_id = require_person(actor).user_id
    if data.expires_at is not None and data.expires_at <= now:
        raise field_error("expires_at", "The expiry must be in the future.", "expiry_in_past")
    default = within_type(READ_ONLY, actor.organization_type)
    permissions = default if not data.permissions else parse_grants(data.permissions)
    grants_within(actor, permissions)
    prefix = secrets.token_hex(6)
    key = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32).replace('_', '-')}"
    api_key = ApiKey(
        organization_id=actor.organization_id,
        created_by_id=creator_id,
        name=data.name,
        prefix=prefix,
        secret_hash=token_hash(key),
        permissions=permissions,
        expires_at=data.expires_at,
    )
    session.add(api_key)
    session.flush()
    audit.record(session, actor, "api_key.create", "api_key", api_key.id, after=summary(api_key), now=now)
    return api_key, key


def summary(api_key: ApiKey) -> dict[str, object]:
    """What the audit log shows of a key (never its secret)."""
    return {
        "name": api_key.name,
        "prefix": api_key.prefix,
        "permissions": {module: names(bits) for module, bits in api_key.permissions.items() if bits},
        "expires_at": api_key.expires_at,
    }


def list_api_keys(session: Session, actor: Actor) -> list[ApiKey]:
    return list(
        session.scalars(
            select(ApiKey).where(ApiKey.organization_id == actor.organization_id).order_by(ApiKey.created_at)
        )
    )


def revoke_api_key(session: Session, actor: Actor, now: datetime, key_id: uuid.UUID) -> ApiKey:
    """Revoke one of the organization's keys; it stops working at once."""
    api_key = session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.organization_id == actor.organization_id).with_for_update()
    )
    if api_key is None:
        raise ApiKeyNotFound("Your organization has no API key with this id.")
    if api_key.revoked_at is not None:
        raise ApiKeyAlreadyRevoked("This API key is already revoked.")
    api_key.revoked_at = now
    audit.record(session, actor, "api_key.revoke", "api_key", api_key.id, before=summary(api_key), now=now)
    return api_key
