"""Signing in with email and password (R-ACC-3): confirmed, enabled accounts only, rate-limited failures."""

from datetime import datetime

from sqlalchemy.orm import Session

from dapp.access.actors import actor_for_user, may_sign_in
from dapp.accounts.errors import AccountDisabled, EmailNotConfirmed, InvalidCredentials
from dapp.accounts.service.registration import find_user_by_email
from dapp.accounts.throttle import LoginThrottle
from dapp.audit import service as audit
from dapp.errors import Unauthenticated
from dapp.models.accounts import User
from dapp.security import dummy_password_hash, verify_password

WRONG_CREDENTIALS = "The email or password is wrong."


def sign_in(session: Session, now: datetime, throttle: LoginThrottle, email: str, password: str, address: str) -> User:
    """The user these credentials belong to, allowed to sign in; the sign-in is audited.

    A failure counts against the account and the client address (see `record_failed_sign_in` for its audit).
    """
    throttle.check(email, address)
    try:
        user = check_credentials(session, email, password)
    except Unauthenticated:
        throttle.failed(email, address)
        raise
    throttle.succeeded(email, address)
    audit.record(session, actor_for_user(session, user.id), "user.login", "user", user.id, now=now)
    return user


def check_credentials(session: Session, email: str, password: str) -> User:
    """The user with these credentials, allowed to sign in (confirmed, enabled, not anonymised)."""
    user = find_user_by_email(session, email)
    # An unknown email costs the same hash verification as a known one, so timing tells nothing.
    if not verify_password(user.password_hash if user else dummy_password_hash(), password) or user is None:
        raise InvalidCredentials(WRONG_CREDENTIALS)
    if not may_sign_in(session, user):
        raise AccountDisabled("This account is disabled.")
    if user.email_confirmed_at is None:
        raise EmailNotConfirmed("Confirm your email address first: follow the link we sent you.")
    return user


def record_failed_sign_in(session: Session, now: datetime, email: str, address: str, reason: str) -> None:
    """Audit a refused sign-in of an existing account in its organization's log (in a unit of work of its own)."""
    user = find_user_by_email(session, email)
    if user is None:
        return
    audit.record(
        session,
        None,
        "user.login_failed",
        "user",
        user.id,
        after={"reason": reason, "address": address},
        now=now,
        organization_id=user.organization_id,
    )
