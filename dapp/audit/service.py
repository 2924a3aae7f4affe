"""Recording and reading the audit log. Flushes, never commits."""

import uuid
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor, PlatformAdmin
from dapp.audit.schemas import AuditEntryRead, AuditQuery
from dapp.models.accounts import ApiKey, User
from dapp.models.audit import AuditEntry


def record(
    session: Session,
    actor: Actor | PlatformAdmin | None,
    action: str,
    subject_type: str,
    subject_id: uuid.UUID | str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    now: datetime,
    organization_id: uuid.UUID | None = None,
) -> AuditEntry:
    """Append an entry in the caller's unit of work (committed with the change it describes).

    `actor` is who acted (None for an anonymous step such as a failed sign-in); the entry goes to the
    actor's organization's log unless `organization_id` names another one (a platform admin acting on an
    organization). `before`/`after` are summaries of the changed fields: never put secrets in them.
    """
    entry = AuditEntry(
        organization_id=organization_id or (actor.organization_id if actor else None),
        actor_user_id=actor.user_id if actor else None,
        actor_api_key_id=actor.api_key_id if actor else None,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        before=to_jsonable_python(before) if before is not None else None,
        after=to_jsonable_python(after) if after is not None else None,
        at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, as (before, after) summaries."""
    changed = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in changed}, {key: after[key] for key in changed}


def list_page(session: Session, query: AuditQuery) -> tuple[list[AuditEntryRead], int]:
    """An organization's entries, newest first, with who acted spelled out."""
    scope = select(AuditEntry).where(AuditEntry.organization_id == query.organization_id)
    if query.action:
        scope = scope.where(AuditEntry.action.startswith(query.action, autoescape=True))
    total = session.scalar(select(func.count()).select_from(scope.subquery())) or 0
    rows = session.execute(
        select(AuditEntry, User, ApiKey)
        .outerjoin(User, User.id == AuditEntry.actor_user_id)
        .outerjoin(ApiKey, ApiKey.id == AuditEntry.actor_api_key_id)
        .where(AuditEntry.id.in_(scope.with_only_columns(AuditEntry.id)))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(query.size)
        .offset((query.page - 1) * query.size)
    )
    return [_read(entry, user, api_key) for entry, user, api_key in rows], total


def _read(entry: AuditEntry, user: User | None, api_key: ApiKey | None) -> AuditEntryRead:
    if api_key is not None:
        actor = f"API key {api_key.name} ({api_key.prefix})"
    elif user is not None:
        actor = f"{user.first_name} {user.last_name} <{user.email}>"
    else:
        actor = "—"
    return AuditEntryRead(
        id=entry.id,
        at=entry.at,
        action=entry.action,
        actor=actor,
        actor_user_id=entry.actor_user_id,
        actor_api_key_id=entry.actor_api_key_id,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        before=entry.before,
        after=entry.after,
    )
