"""API keys for machines (R-ACC-8): created with a subset of the creator's permissions, listed, revoked, adopted.

A key acts with the intersection of its permissions and its creator's current ones, and stops when the creator
leaves, is disabled or deletes their account (dapp.access.auth). An organization admin adopts a key to become its
creator, so it keeps (or starts again) working; when a creator is disabled or deletes their account, the
organization is notified of the keys that stop, and a person about to delete their account is shown theirs.
"""

import secrets
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.access.auth import creator_gone
from dapp.access.permissions import (
    READ_ONLY,
    Actor,
    grants_within,
    names,
    parse_grants,
    require_org_admin,
    require_person,
    within_type,
)
from dapp.accounts.errors import ApiKeyAlreadyRevoked, ApiKeyAlreadyYours, ApiKeyNotFound
from dapp.accounts.schemas import ApiKeyCreate, ApiKeyRead
from dapp.audit import service as audit
from dapp.errors import field_error
from dapp.models.accounts import API_KEY_PREFIX, ApiKey, User
from dapp.notify.service import notify
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


def list_api_keys(session: Session, actor: Actor) -> list[ApiKeyRead]:
    """The organization's keys, oldest first, each with its creator and whether that creator still vouches."""
    rows = session.execute(
        select(ApiKey, User)
        .join(User, User.id == ApiKey.created_by_id)
        .where(ApiKey.organization_id == actor.organization_id)
        .order_by(ApiKey.created_at)
    )
    return [key_read(api_key, creator) for api_key, creator in rows]


def key_read(api_key: ApiKey, creator: User) -> ApiKeyRead:
    stopped = creator_gone(api_key.organization_id, creator.organization_id, creator.is_disabled, creator.anonymised_at)
    return ApiKeyRead.model_validate(
        {
            **{name: getattr(api_key, name) for name in ApiKeyRead.model_fields if hasattr(api_key, name)},
            "created_by": f"{creator.first_name} {creator.last_name}",
            "stopped_because": f"its creator {stopped}" if stopped else None,
        }
    )


def adopt_api_key(session: Session, actor: Actor, now: datetime, key_id: uuid.UUID) -> ApiKeyRead:
    """An organization admin becomes the key's creator: it acts with their permissions and no longer depends on
    the person who made it (who may be leaving, or gone: adopting makes a stopped key work again)."""
    admin = require_org_admin(actor)
    api_key = _locked_key(session, admin, key_id)
    if api_key.revoked_at is not None:
        raise ApiKeyAlreadyRevoked("This API key is revoked; create a new one instead.")
    before = api_key.created_by_id
    if before == admin.user_id:
        raise ApiKeyAlreadyYours("You are already this API key's creator.")
    assert admin.user_id is not None  # require_org_admin refuses API keys
    api_key.created_by_id = admin.user_id
    session.flush()
    audit.record(
        session,
        admin,
        "api_key.adopt",
        "api_key",
        api_key.id,
        before={"created_by_id": before},
        after={"created_by_id": admin.user_id},
        now=now,
    )
    return key_read(api_key, session.get_one(User, admin.user_id))


def keys_made_by(session: Session, user: User, now: datetime) -> list[ApiKey]:
    """The working keys `user` made for their organization: those that stop when the user goes."""
    return list(
        session.scalars(
            select(ApiKey)
            .where(
                ApiKey.created_by_id == user.id,
                ApiKey.organization_id == user.organization_id,
                ApiKey.revoked_at.is_(None),
                (ApiKey.expires_at.is_(None)) | (ApiKey.expires_at > now),
            )
            .order_by(ApiKey.name)
        )
    )


def notify_stopping_keys(session: Session, user: User, now: datetime, who: str) -> None:
    """Tell the organization which of its keys stop because their creator `user` goes (`who` says who, and why),
    and how to make them work again."""
    stopping = keys_made_by(session, user, now)
    if not stopping or user.organization_id is None:
        return
    listed = "\n".join(f"  - {key.name} ({key.prefix})" for key in stopping)
    notify(
        session,
        user.organization_id,
        "api_keys_stopped",
        f"{len(stopping)} API key(s) stopped working",
        f"These API keys were created by {who}, and stopped working:\n"
        f"{listed}\nAn organization admin can adopt each one on the API keys page to make it work again.",
        now,
    )


def revoke_api_key(session: Session, actor: Actor, now: datetime, key_id: uuid.UUID) -> ApiKey:
    """Revoke one of the organization's keys; it stops working at once."""
    api_key = _locked_key(session, actor, key_id)
    if api_key.revoked_at is not None:
        raise ApiKeyAlreadyRevoked("This API key is already revoked.")
    api_key.revoked_at = now
    audit.record(session, actor, "api_key.revoke", "api_key", api_key.id, before=summary(api_key), now=now)
    return api_key


def _locked_key(session: Session, actor: Actor, key_id: uuid.UUID) -> ApiKey:
    api_key = session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.organization_id == actor.organization_id).with_for_update()
    )
    if api_key is None:
        raise ApiKeyNotFound("Your organization has no API key with this id.")
    return api_key
