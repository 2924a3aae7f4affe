"""A person's signed-in sessions (R-ACC-3): listed with where and when they were used, ended one by one or all
at once ("sign out everywhere")."""

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from dapp.access.permissions import Person
from dapp.access.sessions import EndReason, active_sessions, end_sessions
from dapp.accounts.errors import SessionNotFound
from dapp.accounts.schemas import SessionRead
from dapp.audit import service as audit
from dapp.security import token_hash


def list_sessions(session: Session, person: Person, now: datetime, current_token: str | None) -> list[SessionRead]:
    """The person's live sessions, most recently used first; the one making this request is marked."""
    current = token_hash(current_token) if current_token else None
    return [
        SessionRead(
            id=row.id,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            address=row.address,
            user_agent=row.user_agent,
            is_current=row.token_hash == current,
        )
        for row in active_sessions(session, person.user_id, now)
    ]


def end_session(session: Session, person: Person, now: datetime, session_id: uuid.UUID) -> None:
    """End one of the person's own sessions (a lost phone, a shared computer)."""
    if not end_sessions(session, [person.user_id], now, EndReason.SIGNED_OUT_ELSEWHERE, only=session_id):
        raise SessionNotFound("You have no active session with this id.")
    audit.record(session, person.acts_as, "user.session_end", "user_session", session_id, now=now)


def sign_out_everywhere(session: Session, person: Person, now: datetime) -> int:
    """End every session of the person, the current one included; returns how many ended."""
    ended = end_sessions(session, [person.user_id], now, EndReason.SIGNED_OUT_EVERYWHERE)
    audit.record(
        session, person.acts_as, "user.sign_out_everywhere", "user", person.user_id, after={"ended": ended}, now=now
    )
    return ended
