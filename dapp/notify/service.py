"""Notification use cases: write one for an organization, list and mark them read, find the unsent ones."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.models.accounts import User
from dapp.models.notify import Notification
from dapp.platform import enqueue_after_commit


def notify(
    session: Session,
    organization_id: uuid.UUID,
    kind: str,
    title: str,
    body: str,
    now: datetime,
    link: str | None = None,
) -> Notification:
    """Add a notification to the organization's list (linking to the page it announces, a path on this platform);
    it is emailed to its members after the commit."""
    notification = Notification(
        organization_id=organization_id, kind=kind, title=title, body=body, link=link, created_at=now
    )
    session.add(notification)
    enqueue_after_commit(session, "notify.send_notification_emails")
    return notification


def list_page(
    session: Session, actor: Actor, page: int, size: int, unread_only: bool = False
) -> tuple[list[Notification], int]:
    """The organization's notifications, newest first."""
    scope = select(Notification).where(Notification.organization_id == actor.organization_id)
    if unread_only:
        scope = scope.where(Notification.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(scope.subquery())) or 0
    rows = session.scalars(
        scope.order_by(Notification.created_at.desc(), Notification.id).limit(size).offset((page - 1) * size)
    )
    return list(rows), total


def unread_count(session: Session, actor: Actor) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Notification.organization_id == actor.organization_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(session: Session, actor: Actor, now: datetime, ids: list[uuid.UUID] | None = None) -> int:
    """Mark the given notifications (all unread ones when `ids` is None) as read; returns how many changed."""
    statement = update(Notification).where(
        Notification.organization_id == actor.organization_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids))
    result: CursorResult[Any] = session.execute(statement.values(read_at=now))  # type: ignore[assignment]
    return result.rowcount


def claim_unsent(session: Session, limit: int) -> list[Notification]:
    """Notifications not emailed yet, oldest first, locked so that no other worker sends them too."""
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.emailed_at.is_(None))
            .order_by(Notification.created_at, Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def recipients(session: Session, organization_id: uuid.UUID) -> list[str]:
    """Email addresses of the organization's members who can receive mail (confirmed, not disabled)."""
    return list(
        session.scalars(
            select(User.email)
            .where(
                User.organization_id == organization_id,
                User.is_disabled.is_(False),
                User.email_confirmed_at.is_not(None),
            )
            .order_by(User.email)
        )
    )
