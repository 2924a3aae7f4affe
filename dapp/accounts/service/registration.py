"""Sign-up, email confirmation and its resend (R-ACC-1). The confirmation email, with its single-use link, is
sent by a job after the commit (`accounts.send_confirmation`).

Sign-up answers the same whether or not the email is registered: for a registered one nothing is created and its
owner is told by email instead (`accounts.send_registration_attempt`), so the answer reveals no account.
"""

from datetime import datetime

from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.access.permissions import FULL, within_type
from dapp.accounts.errors import AccountExists, EmailTaken, OrganizationNameTaken
from dapp.accounts.passwords import check_password
from dapp.accounts.schemas import RegistrationCreate
from dapp.accounts.throttle import may_send_email
from dapp.accounts.tokens import consume_email_token
from dapp.chain.accounts import new_managed_account
from dapp.db import flush_or_raise
from dapp.models.accounts import Organization, TokenPurpose, User
from dapp.platform import enqueue_after_commit
from dapp.security import hash_password


def register(session: Session, now: datetime, redis: Redis, secret_key: str, data: RegistrationCreate) -> User | None:
    """Create an organization and its admin, and have a confirmation link emailed to them; None when the email
    is registered already: its owner is told by email instead (at most a few an hour)."""
    check_password(data.password, personal=(data.email, data.first_name, data.last_name, data.organization_name))
    require_free_organization_name(session, data.organization_name)  # organization names are public anyway
    existing = find_user_by_email(session, data.email)
    if existing is not None:
        hash_password(data.password)  # the cost of a new account's hash, so the answer's timing tells nothing
        if may_send_email(redis, now, "registration-attempt", data.email):
            enqueue_after_commit(session, "accounts.send_registration_attempt", str(existing.id))
        return None
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
        permissions=within_type(FULL, data.organization_type.value),
    )
    session.add_all([organization, user])
    flush_or_raise(session, AccountExists("An account with this organization name or email was just registered."))
    enqueue_after_commit(session, "accounts.send_confirmation", str(user.id))
    return user


def require_free_email(session: Session, email: str) -> None:
    if find_user_by_email(session, email) is not None:
        raise EmailTaken(
            "An account with this email already exists.",
            errors=[{"field": "email", "code": "email_taken", "message": "already registered"}],
        )


def require_free_organization_name(
    session: Session, name: str, exclude: Organization | None = None, field: str = "organization_name"
) -> None:
    query = select(Organization.id).where(func.lower(Organization.name) == name.lower())
    if exclude is not None:
        query = query.where(Organization.id != exclude.id)
    if session.scalar(query):
        raise OrganizationNameTaken(
            "An organization with this name already exists.",
            errors=[{"field": field, "code": "taken", "message": "already registered"}],
        )


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def confirm_email(session: Session, now: datetime, token: str) -> User:
    """Consume a confirmation token; it works once and only before it expires."""
    user = consume_email_token(session, now, token, TokenPurpose.CONFIRM_EMAIL, "confirmation")
    user.email_confirmed_at = user.email_confirmed_at or now
    return user


def resend_confirmation(session: Session, now: datetime, redis: Redis, email: str) -> None:
    """Have a fresh confirmation link emailed to an unconfirmed account; nothing for any other address (or when
    too many links went to this address in the last hour). Callers answer the same in every case, so nobody
    learns whether an email is registered.
    """
    if not may_send_email(redis, now, "confirmation", email):
        return
    user = find_user_by_email(session, email)
    if user is not None and awaits_confirmation(user):
        enqueue_after_commit(session, "accounts.send_confirmation", str(user.id))


def awaits_confirmation(user: User) -> bool:
    """An enabled account whose email address is not confirmed yet."""
    return user.email_confirmed_at is None and not user.is_disabled and user.anonymised_at is None
