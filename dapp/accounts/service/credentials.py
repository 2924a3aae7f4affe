"""Password change and reset by email (R-ACC-2).

A reset link holds a single-use token valid for one hour; asking for one answers the same whether or not the
email is registered. A new password (changed or reset) ends the user's other sessions (dapp.access.sessions).
"""

import uuid
from datetime import datetime

from redis import Redis
from sqlalchemy.orm import Session

from dapp.access.actors import actor_for_user
from dapp.access.sessions import EndReason, end_sessions
from dapp.accounts.passwords import check_password
from dapp.accounts.schemas import PasswordChange, PasswordReset
from dapp.accounts.service.registration import find_user_by_email
from dapp.accounts.throttle import may_send_email
from dapp.accounts.tokens import consume_email_token
from dapp.audit import service as audit
from dapp.errors import field_error
from dapp.models.accounts import TokenPurpose, User
from dapp.platform import enqueue_after_commit
from dapp.security import hash_password, verify_password


def change_password(
    session: Session, now: datetime, user_id: uuid.UUID, data: PasswordChange, keep_token: str | None
) -> User:
    """Replace the password of a signed-in user who knows the current one; every other session of theirs ends
    (all but the one of `keep_token`)."""
    user = session.get_one(User, user_id)
    if not verify_password(user.password_hash, data.current_password):
        raise field_error("current_password", "The current password is wrong.", "wrong_password")
    check_password(data.new_password, "new_password", personal=(user.email, user.first_name, user.last_name))
    if verify_password(user.password_hash, data.new_password):
        raise field_error("new_password", "Choose a password different from the current one.", "password_unchanged")
    user.password_hash = hash_password(data.new_password)
    end_sessions(session, [user.id], now, EndReason.PASSWORD_CHANGED, keep_token=keep_token)
    audit.record(session, actor_for_user(session, user.id), "user.password_change", "user", user.id, now=now)
    return user


def request_password_reset(session: Session, now: datetime, redis: Redis, email: str) -> None:
    """Have a reset link emailed to an account that may use one; nothing for any other address (or when too many
    links went to this address in the last hour). Callers answer the same in every case."""
    if not may_send_email(redis, now, "password-reset", email):
        return
    user = find_user_by_email(session, email)
    if user is not None and may_reset_password(user):
        enqueue_after_commit(session, "accounts.send_password_reset", str(user.id))


def may_reset_password(user: User) -> bool:
    return not user.is_disabled and user.anonymised_at is None


def reset_password(session: Session, now: datetime, data: PasswordReset) -> User:
    """Set a new password with a reset token; following the emailed link also proves the address."""
    check_password(data.password)
    user = consume_email_token(session, now, data.token, TokenPurpose.RESET_PASSWORD, "password reset")
    user.password_hash = hash_password(data.password)
    user.email_confirmed_at = user.email_confirmed_at or now
    end_sessions(session, [user.id], now, EndReason.PASSWORD_CHANGED)
    audit.record(session, None, "user.password_reset", "user", user.id, now=now, organization_id=user.organization_id)
    return user
