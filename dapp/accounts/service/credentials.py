"""Password change and reset by email (R-ACC-2).

A reset link holds a single-use token valid for one hour; asking for one answers the same whether or not the
email is registered. A new password (changed or reset) ends the user's other sessions (see dapp.web.login).
"""

import uuid
from datetime import datetime, timedelta

from redis import Redis
from sqlalchemy.orm import Session

from dapp.accounts.actors import actor_for_user
from dapp.accounts.models import TokenPurpose, User
from dapp.accounts.passwords import check_password
from dapp.accounts.schemas import PasswordChange, PasswordReset
from dapp.accounts.service.registration import consume_email_token, find_user_by_email, issue_email_token
from dapp.accounts.throttle import may_send_email
from dapp.audit import service as audit
from dapp.errors import field_error
from dapp.security import hash_password, verify_password

RESET_TTL = timedelta(hours=1)


def change_password(session: Session, now: datetime, user_id: uuid.UUID, data: PasswordChange) -> User:
    """Replace the password of a signed-in user who knows the current one."""
    user = session.get_one(User, user_id)
    if not verify_password(user.password_hash, data.current_password):
        raise field_error("current_password", "The current password is wrong.", "wrong_password")
    check_password(data.new_password, "new_password")
    if verify_password(user.password_hash, data.new_password):
        raise field_error("new_password", "Choose a password different from the current one.", "password_unchanged")
    user.password_hash = hash_password(data.new_password)
    audit.record(session, actor_for_user(session, user.id), "user.password_change", "user", user.id, now=now)
    return user


def request_password_reset(session: Session, now: datetime, redis: Redis, email: str) -> tuple[str, str] | None:
    """A reset token for an account that may use one, as (email, token); None when there is no such account
    (or too many links went to this address in the last hour). Callers answer the same in every case."""
    if not may_send_email(redis, now, "password-reset", email):
        return None
    user = find_user_by_email(session, email)
    if user is None or user.is_disabled or user.anonymised_at is not None:
        return None
    return user.email, issue_email_token(session, now, user, TokenPurpose.RESET_PASSWORD, RESET_TTL)


def reset_password(session: Session, now: datetime, data: PasswordReset) -> User:
    """Set a new password with a reset token; following the emailed link also proves the address."""
    check_password(data.password)
    user = consume_email_token(session, now, data.token, TokenPurpose.RESET_PASSWORD, "password reset")
    user.password_hash = hash_password(data.password)
    user.email_confirmed_at = user.email_confirmed_at or now
    audit.record(session, None, "user.password_reset", "user", user.id, now=now, organization_id=user.organization_id)
    return user
