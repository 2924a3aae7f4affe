"""Who is calling: an API key (`Authorization: Bearer`) or a signed-in user (session cookie).

A disabled or anonymised user, a disabled organization, and every key of a disabled organization (or made by a
disabled user) authenticate as nobody.
"""

from flask import Request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select
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
    """The actor of a valid, unrevoked, unexpired key of an enabled organization; records when it was last used."""
    invalid = Unauthenticated("The API key is not valid, has been revoked or has expired.", code="invalid_api_key")
    parts = split_api_key(key)
    if parts is None:
        raise invalid
    api_key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[0]))
    now = platform.current().clock.now()
    if api_key is None or not same_hash(api_key.secret_hash, token_hash(key)):
        raise invalid
    if api_key.revoked_at is not None or (api_key.expires_at is not None and api_key.expires_at <= now):
        raise invalid
    organization = session.get_one(Organization, api_key.organization_id)
    creator = session.get_one(User, api_key.created_by_id)
    if organization.disabled_at is not None or creator.is_disabled:
        raise Unauthenticated("This API key's organization or creator is disabled.", code="api_key_disabled")
    api_key.last_used_at = now
    return Actor(organization.id, organization.type, api_key_id=api_key.id, permissions=dict(api_key.permissions))
