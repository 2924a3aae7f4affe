"""Who is calling: an API key (`Authorization: Bearer`) or a signed-in user (session cookie).

A disabled or anonymised user and a disabled organization authenticate as nobody. An API key acts with the
intersection of its own permissions and its creator's current ones (R-ACC-8), and stops when its creator leaves
the organization, is disabled or is anonymised, until an organization admin adopts it
(dapp.accounts.service.api_keys.adopt_api_key).
"""

import uuid
from datetime import datetime, timedelta

from flask import Request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import update
from sqlalchemy.orm import Session
from wtforms import ValidationError

from dapp.access.actors import actor_for_user, may_sign_in
from dapp.access.errors import ApiKeyDisabled, BadAuthorization, CsrfFailed, InvalidApiKey
from dapp.access.permissions import FULL, Actor, PlatformAdmin, intersection
from dapp.db import fetch_all
from dapp.errors import Unauthenticated
from dapp.models.accounts import API_KEY_PREFIX, ApiKey
from dapp.security import same_hash, token_hash

__all__ = [
    "API_KEY_PREFIX",
    "actor_for_api_key",
    "actor_for_user",
    "authenticate_request",
    "creator_gone",
    "may_sign_in",
]

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LAST_USED_PRECISION = timedelta(minutes=1)


def authenticate_request(session: Session, request: Request, now: datetime) -> Actor | PlatformAdmin | None:
    header = request.headers.get("Authorization", "")
    if header:
        return actor_for_api_key(session, bearer_credential(header), now)
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            _require_csrf_header(request)
        return actor_for_user(session, current_user.id_uuid)
    return None


def bearer_credential(header: str) -> str:
    """The API key of an `Authorization: Bearer <key>` header."""
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise BadAuthorization("The Authorization header must be 'Bearer <api key>'.")
    return credential.strip()


def _require_csrf_header(request: Request) -> None:
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except (ValidationError, CSRFError) as error:
        raise CsrfFailed("Send the page's CSRF token in the X-CSRFToken header.") from error


# A fixed statement (not built per request): the key with its organization and creator, by the key's prefix.
API_KEY_WITH_HOLDERS = """
SELECT k.id AS key_id, k.secret_hash, k.permissions, k.expires_at, k.revoked_at, k.last_used_at,
       o.id AS organization_id, o.type AS organization_type, o.disabled_at, u.is_disabled,
       u.organization_id AS creator_organization_id, u.anonymised_at AS creator_anonymised_at,
       u.is_org_admin AS creator_is_org_admin, u.permissions AS creator_permissions
FROM api_key AS k
JOIN organization AS o ON o.id = k.organization_id
JOIN user_account AS u ON u.id = k.created_by_id
WHERE k.prefix = %(prefix)s
"""


def actor_for_api_key(session: Session, key: str, now: datetime) -> Actor:
    """The actor of a valid, unrevoked, unexpired key of an enabled organization; records when it was last used.

    One query reads the key with its organization and creator. `last_used_at` is written when it is more than
    LAST_USED_PRECISION old, so a device sending a read every few seconds does not rewrite the key each time.
    """
    prefix = key_prefix(key)
    rows = fetch_all(session, API_KEY_WITH_HOLDERS, {"prefix": prefix}) if prefix else []
    row = rows[0] if rows else None
    actor = actor_for_key_row(row, key, now)
    if needs_last_use(row, now):
        session.execute(update(ApiKey).where(ApiKey.id == actor.api_key_id).values(last_used_at=now))
    return actor


def key_prefix(key: str) -> str | None:
    """The public part of an API key (`drec_<prefix>_<secret>`), by which its row is found; None for a string that
    is no key of ours."""
    parts = key.split("_")
    return parts[1] if len(parts) == 3 and parts[0] == API_KEY_PREFIX else None


def actor_for_key_row(row, key: str, now: datetime) -> Actor:
    """The actor of `key`, given the `API_KEY_WITH_HOLDERS` row of its prefix (None when there is none)."""
    if row is None or not same_hash(row.secret_hash, token_hash(key)):
        raise _invalid_key()
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise _invalid_key()
    if row.disabled_at is not None:
        raise ApiKeyDisabled("This API key's organization is disabled.")
    gone = creator_gone(row.organization_id, row.creator_organization_id, row.is_disabled, row.creator_anonymised_at)
    if gone is not None:
        raise ApiKeyDisabled(
            f"This API key stopped working because its creator {gone}. An admin of your organization can adopt "
            "it to make it work again.",
            reason="creator_gone",
        )
    creator = FULL if row.creator_is_org_admin else row.creator_permissions
    return Actor(
        row.organization_id,
        row.organization_type,
        api_key_id=row.key_id,
        permissions=intersection(row.permissions, creator),
    )


def creator_gone(
    key_organization_id: uuid.UUID,
    creator_organization_id: uuid.UUID | None,
    creator_disabled: bool,
    creator_anonymised_at: datetime | None,
) -> str | None:
    """Why a key's creator no longer vouches for it (deleted their account, was disabled, left the key's
    organization), or None while they do."""
    if creator_anonymised_at is not None:
        return "deleted their account"
    if creator_disabled:
        return "was disabled"
    if creator_organization_id != key_organization_id:
        return "left the organization"
    return None


def needs_last_use(row, now: datetime) -> bool:
    """Whether the key's `last_used_at` is due to be written."""
    return row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION


def _invalid_key() -> Unauthenticated:
    return InvalidApiKey("The API key is not valid, has been revoked or has expired.")
