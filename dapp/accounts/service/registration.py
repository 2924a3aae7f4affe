"""Sign-up, email confirmation and its resend (R-ACC-1), and the single-use email tokens they rely on."""

from datetime import datetime, timedelta

from redis import Redis
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dapp.accounts.models import EmailToken, Organization, TokenPurpose, User
from dapp.accounts.passwords import check_password
from dapp.accounts.permissions import FULL
from dapp.accounts.schemas import RegistrationCreate
from dapp.accounts.throttle import may_send_email
from dapp.chain.accounts import new_managed_account
from dapp.db import flush_or_raise
from dapp.errors import Conflict, Invalid
from dapp.security import hash_password, new_token, token_hash

CONFIRMATION_TTL = timedelta(hours=24)


def register(session: Session, now: datetime, secret_key: str, data: RegistrationCreate) -> tuple[User, str]:
    """Create an organization and its admin; returns the user and the email-confirmation token."""
    check_password(data.password)
    require_free_email(session, data.email)
    require_free_organization_name(session, data.organization_name)
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


def require_free_email(session: Session, email: str) -> None:
    if find_user_by_email(session, email) is not None:
        raise Conflict(
            "An account with this email already exists.",
            code="email_taken",
            errors=[{"field": "email", "code": "email_taken", "message": "already registered"}],
        )


def require_free_organization_name(
    session: Session, name: str, exclude: Organization | None = None, field: str = "organization_name"
) -> None:
    query = select(Organization.id).where(func.lower(Organization.name) == name.lower())
    if exclude is not None:
        query = query.where(Organization.id != exclude.id)
    if session.scalar(query):
        raise Conflict(
            "An organization with this name already exists.",
            code="organization_name_taken",
            errors=[{"field": field, "code": "taken", "message": "already registered"}],
        )


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def issue_email_token(session: Session, now: datetime, user: User, purpose: TokenPurpose, ttl: timedelta) -> str:
    """A new single-use token for `purpose`; earlier unused tokens of the same purpose stop working."""
    session.execute(
        update(EmailToken)
        .where(EmailToken.user_id == user.id, EmailToken.purpose == purpose.value, EmailToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = new_token()
    session.add(EmailToken(user_id=user.id, purpose=purpose.value, token_hash=token_hash(token), expires_at=now + ttl))
    session.flush()
    return token


def consume_email_token(session: Session, now: datetime, token: str, purpose: TokenPurpose, what: str) -> User:
    """The user a valid token belongs to; the token is used up."""
    record = session.scalar(
        select(EmailToken)
        .where(EmailToken.token_hash == token_hash(token), EmailToken.purpose == purpose.value)
        .with_for_update()
    )
    if record is None or record.used_at is not None or record.expires_at <= now:
        raise Invalid(f"This {what} link is invalid, already used or expired; ask for a new one.", code="invalid_token")
    record.used_at = now
    return session.get_one(User, record.user_id)


def confirm_email(session: Session, now: datetime, token: str) -> User:
    """Consume a confirmation token; it works once and only before it expires."""
    user = consume_email_token(session, now, token, TokenPurpose.CONFIRM_EMAIL, "confirmation")
    user.email_confirmed_at = user.email_confirmed_at or now
    return user


def resend_confirmation(session: Session, now: datetime, redis: Redis, email: str) -> tuple[str, str] | None:
    """A fresh confirmation token for an unconfirmed account, as (email, token); None otherwise (also when too
    many links went to this address in the last hour). Callers answer the same in every case, so nobody learns
    whether an email is registered.
    """
    if not may_send_email(redis, now, "confirmation", email):
        return None
    user = find_user_by_email(session, email)
    if user is None or user.email_confirmed_at is not None or user.is_disabled or user.anonymised_at is not None:
        return None
    return user.email, issue_email_token(session, now, user, TokenPurpose.CONFIRM_EMAIL, CONFIRMATION_TTL)
