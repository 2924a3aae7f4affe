"""Who is calling: an API key (`Authorization: Bearer`) or a signed-in user (session cookie).

A disabled or anonymised user, a disabled organization, and every key of a disabled organization (or made by a
disabled user) authenticate as nobody.
"""

from datetime import timedelta

from flask import Request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from wtforms import ValidationError

from dapp import platform
from dapp.accounts.actors import actor_for_user, may_sign_in, session_fingerprint
from dapp.accounts.models import API_KEY_PREFIX, ApiKey, Organization, User
from dapp.accounts.permissions import Actor, PlatformAdmin
from dapp.errors import Forbidden, Unauthenticated
from dapp.security import same_hash, token_hash

__all__ = [
    "API_KEY_PREFIX",
    "actor_for_api_key",
    "actor_for_user",
    "authenticate_request",
    "may_sign_in",
    "session_fingerprint",
]

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LAST_USED_PRECISION = timedelta(minutes=1)


def authenticate_request(session: Session, request: Request) -> Actor | PlatformAdmin | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, credential = header.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            raise Unauthenticated("The Authorization header must be 'Bearer <api key>'.", code="bad_authorization")
        return actor_for_api_key(session, credential.strip())
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            _require_csrf_header(request)
        return actor_for_user(session, current_user.id_uuid)
    return None


def _require_csrf_header(request: Request) -> None:
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except (ValidationError, CSRFError) as error:
        raise Forbidden("Send the page's CSRF token in the X-CSRFToken header.", code="csrf_failed") from error


def split_api_key(key: str) -> tuple[str, str] | None:
    parts = key.split("_")
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    return parts[1], parts[2]


def actor_for_api_key(session: Session, key: str) -> Actor:
    """The actor of a valid, unrevoked, unexpired key of an enabled organization; records when it was last used.

    One query reads the key with its organization and creator. `last_used_at` is written when it is more than
    LAST_USED_PRECISION old, so a device sending a read every few seconds does not rewrite the key each time.
    """
    invalid = Unauthenticated("The API key is not valid, has been revoked or has expired.", code="invalid_api_key")
    parts = split_api_key(key)
    if parts is None:
        raise invalid
    row = session.execute(
        select(
            ApiKey.id,
            ApiKey.secret_hash,
            ApiKey.permissions,
            ApiKey.expires_at,
            ApiKey.revoked_at,
            ApiKey.last_used_at,
            Organization.id.label("organization_id"),
            Organization.type.label("organization_type"),
            Organization.disabled_at,
            User.is_disabled,
        )
        .join(Organization, Organization.id == ApiKey.organization_id)
        .join(User, User.id == ApiKey.created_by_id)
        .where(ApiKey.prefix == parts[0])
    ).one_or_none()
    now = platform.current().clock.now()
    if row is None or not same_hash(row.secret_hash, token_hash(key)):
        raise invalid
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise invalid
    if row.disabled_at is not None or row.is_disabled:
        raise Unauthenticated("This API key's organization or creator is disabled.", code="api_key_disabled")
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
    return Actor(row.organization_id, row.organization_type, api_key_id=row.id, permissions=dict(row.permissions))
