"""Server-side sign-in sessions (R-ACC-3): a random token in the cookie, its life in the `user_session` table.

Ending a session is one UPDATE, so sign-out, "sign out everywhere", a new password, disabling and anonymisation
take effect on the very next request of every copy of the cookie. An idle session ends by itself.
"""

import uuid
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from dapp.models.accounts import User, UserSession
from dapp.security import new_token, token_hash

IDLE_LIMIT = timedelta(days=7)
LAST_SEEN_PRECISION = timedelta(minutes=1)


class EndReason(StrEnum):
    SIGNED_OUT = "signed_out"
    SIGNED_OUT_ELSEWHERE = "signed_out_elsewhere"
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a reason, not a password
    ACCOUNT_DISABLED = "account_disabled"
    ACCOUNT_ANONYMISED = "account_anonymised"


def start_session(session: Session, user: User, now: datetime, address: str, user_agent: str) -> str:
    """A new session of `user`; returns the token the cookie carries (never stored)."""
    token = new_token()
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=token_hash(token),
            created_at=now,
            last_seen_at=now,
            address=address[:45],
            user_agent=user_agent[:300],
        )
    )
    session.flush()
    return token


def active_session(session: Session, token: str, now: datetime) -> UserSession | None:
    """The live session of a cookie's token (its last use recorded), or None once it ended or idled out."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == token_hash(token)))
    if row is None or row.ended_at is not None:
        return None
    if now - row.last_seen_at > IDLE_LIMIT:
        row.ended_at, row.ended_reason = now, "idle"
        return None
    if now - row.last_seen_at >= LAST_SEEN_PRECISION:
        row.last_seen_at = now
    return row


def end_session_of_token(session: Session, token: str, now: datetime) -> None:
    """Sign-out: the cookie's own session ends."""
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))
        .values(ended_at=now, ended_reason=EndReason.SIGNED_OUT.value)
    )


def active_sessions(session: Session, user_id: uuid.UUID, now: datetime) -> list[UserSession]:
    """The user's sessions that still work, most recently used first."""
    return list(
        session.scalars(
            select(UserSession)
            .where(_live(now), UserSession.user_id == user_id)
            .order_by(UserSession.last_seen_at.desc())
        )
    )


def end_sessions(
    session: Session,
    user_ids: list[uuid.UUID],
    now: datetime,
    reason: EndReason,
    keep_token: str | None = None,
    only: uuid.UUID | None = None,
) -> int:
    """End the live sessions of `user_ids` (all but the one of `keep_token`; only `only` when given)."""
    query = update(UserSession).where(UserSession.user_id.in_(user_ids), UserSession.ended_at.is_(None))
    if keep_token is not None:
        query = query.where(UserSession.token_hash != token_hash(keep_token))
    if only is not None:
        query = query.where(UserSession.id == only)
    return session.execute(query.values(ended_at=now, ended_reason=reason.value)).rowcount  # type: ignore[attr-defined]


def _live(now: datetime) -> ColumnElement[bool]:
    return (UserSession.ended_at.is_(None)) & (UserSession.last_seen_at > now - IDLE_LIMIT)
