"""Single-use email tokens (confirmation, password reset): random, stored only as a hash, expiring, used once.

A token is made by the job that emails it (dapp.accounts.jobs), so it never leaves the process that sends it.
"""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dapp.accounts.errors import InvalidToken
from dapp.models.accounts import EmailToken, TokenPurpose, User
from dapp.security import new_token, token_hash

CONFIRMATION_TTL = timedelta(hours=24)
RESET_TTL = timedelta(hours=1)


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
        raise InvalidToken(f"This {what} link is invalid, already used or expired; ask for a new one.")
    record.used_at = now
    return session.get_one(User, record.user_id)
