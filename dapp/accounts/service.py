"""Account use cases: sign-up, email confirmation, sign-in, API keys. Flushes, never commits."""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.accounts.auth import API_KEY_PREFIX
from dapp.accounts.models import ApiKey, EmailToken, Organization, TokenPurpose, User
from dapp.accounts.passwords import check_password
from dapp.accounts.permissions import FULL, READ_ONLY, Actor, Module, Permission
from dapp.accounts.schemas import ApiKeyCreate, RegistrationCreate
from dapp.chain.accounts import new_managed_account
from dapp.db import flush_or_raise
from dapp.errors import Conflict, Invalid, Unauthenticated, field_error
from dapp.security import hash_password, new_token, token_hash, verify_password

CONFIRMATION_TTL = timedelta(hours=24)


def register(session: Session, now: datetime, secret_key: str, data: RegistrationCreate) -> tuple[User, str]:
    """Create an organization and its admin; returns the user and the email-confirmation token."""
    check_password(data.password)
    _require_unique_registration(session, data)
    address, encrypted_key = new_managed_account(secret_key)
    organization = Organization(
        name=data.organization_name,
        type=data.organization_type.value,
        address=data.organization_address,
        blockchain_address=address,
        encrypted_private_key=encrypted_key,
    )
    user = User(
        organization=organization,
        first_name=data.first_name,
        last_name=data.last_name,
        email=data.email,
        password_hash=hash_password(data.password),
        is_org_admin=True,
        permissions=dict(FULL),
    )
    session.add_all([organization, user])
    flush_or_raise(session, Conflict("An account with this email or organization name already exists."))
    return user, issue_email_token(session, now, user, TokenPurpose.CONFIRM_EMAIL, CONFIRMATION_TTL)


def _require_unique_registration(session: Session, data: RegistrationCreate) -> None:
    if session.scalar(select(User.id).where(func.lower(User.email) == data.email.lower())):
        raise Conflict(
            "An account with this email already exists.",
            code="email_taken",
            errors=[{"field": "email", "code": "email_taken", "message": "already registered"}],
        )
    if session.scalar(select(Organization.id).where(func.lower(Organization.name) == data.organization_name.lower())):
        raise Conflict(
            "An organization with this name already exists.",
            code="organization_name_taken",
            errors=[{"field": "organization_name", "code": "taken", "message": "already registered"}],
        )


def issue_email_token(session: Session, now: datetime, user: User, purpose: TokenPurpose, ttl: timedelta) -> str:
    token = new_token()
    session.add(EmailToken(user_id=user.id, purpose=purpose.value, token_hash=token_hash(token), expires_at=now + ttl))
    session.flush()
    return token


def confirm_email(session: Session, now: datetime, token: str) -> User:
    """Consume a confirmation token; it works once and only before it expires."""
    record = session.scalar(
        select(EmailToken)
        .where(EmailToken.token_hash == token_hash(token), EmailToken.purpose == TokenPurpose.CONFIRM_EMAIL.value)
        .with_for_update()
    )
    if record is None or record.used_at is not None or record.expires_at <= now:
        raise Invalid(
            "This confirmation link is invalid, already used or expired; ask for a new one.", code="invalid_token"
        )
    record.used_at = now
    user = session.get_one(User, record.user_id)
    user.email_confirmed_at = user.email_confirmed_at or now
    return user


def check_credentials(session: Session, email: str, password: str) -> User:
    """The user with these credentials, allowed to sign in (confirmed, not disabled)."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not verify_password(user.password_hash, password):
        raise Unauthenticated("The email or password is wrong.", code="invalid_credentials")
    if user.is_disabled:
        raise Unauthenticated("This account is disabled.", code="account_disabled")
    if user.email_confirmed_at is None:
        raise Unauthenticated(
            "Confirm your email address first: follow the link we sent you.", code="email_not_confirmed"
        )
    return user


def create_api_key(session: Session, actor: Actor, data: ApiKeyCreate) -> tuple[ApiKey, str]:
    """A new key for the actor's organization; returns the row and the secret (shown once)."""
    prefix = secrets.token_hex(6)
    key = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32).replace('_', '-')}"
    api_key = ApiKey(
        organization_id=actor.organization_id,
        created_by_id=actor.user_id,
        name=data.name,
        prefix=prefix,
        secret_hash=token_hash(key),
        permissions=_key_permissions(actor, data.permissions),
        expires_at=data.expires_at,
    )
    session.add(api_key)
    session.flush()
    return api_key, key


def _key_permissions(actor: Actor, requested: dict[str, list[str]] | None) -> dict[str, int]:
    """Requested permissions (none → read-only), never more than the creator holds."""
    if requested is None:
        return dict(READ_ONLY)
    granted: dict[str, int] = {}
    for module_name, names in requested.items():
        module = _parse(Module, module_name, "permissions")
        bits = 0
        for name in names:
            permission = _parse_permission(name)
            if not actor.can(module, permission):
                raise field_error("permissions", f"You cannot grant {name} on {module_name}: you lack it.")
            bits |= permission
        granted[module.value] = bits
    return granted


def _parse(enum: type[Module], value: str, field: str) -> Module:
    try:
        return enum(value)
    except ValueError as error:
        accepted = ", ".join(member.value for member in enum)
        raise field_error(field, f"Unknown module '{value}'; accepted: {accepted}.") from error


def _parse_permission(name: str) -> Permission:
    try:
        return Permission[name.upper()]
    except KeyError as error:
        raise field_error(
            "permissions", f"Unknown permission '{name}'; accepted: READ, WRITE, UPDATE, DELETE."
        ) from error


def list_api_keys(session: Session, actor: Actor) -> list[ApiKey]:
    return list(
        session.scalars(
            select(ApiKey).where(ApiKey.organization_id == actor.organization_id).order_by(ApiKey.created_at)
        )
    )
