"""Who is calling: an API key (`Authorization: Bearer`) or a signed-in user (session cookie)."""

import uuid

from flask import Request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import ValidationError

from dapp import platform
from dapp.accounts.models import ApiKey, Organization, User
from dapp.accounts.permissions import Actor
from dapp.errors import Forbidden, Unauthenticated
from dapp.security import same_hash, token_hash

API_KEY_PREFIX = "drec"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def authenticate_request(session: Session, request: Request) -> Actor | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, credential = header.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            raise Unauthenticated("The Authorization header must be 'Bearer <api key>'.", code="bad_authorization")
        return actor_for_api_key(session, credential.strip())
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            _require_csrf_header(request)
        return actor_for_user(session, uuid.UUID(current_user.get_id()))
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
    """The actor of a valid, unrevoked, unexpired key; records when it was last used."""
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
    api_key.last_used_at = now
    organization = session.get_one(Organization, api_key.organization_id)
    return Actor(organization.id, organization.type, api_key_id=api_key.id, permissions=dict(api_key.permissions))


def actor_for_user(session: Session, user_id: uuid.UUID) -> Actor | None:
    user = session.get(User, user_id)
    if user is None or user.is_disabled or user.organization_id is None:
        return None
    organization = session.get_one(Organization, user.organization_id)
    return Actor(
        organization.id,
        organization.type,
        user_id=user.id,
        permissions=dict(user.permissions),
        is_org_admin=user.is_org_admin,
    )
