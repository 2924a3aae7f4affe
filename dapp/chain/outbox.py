"""The chain outbox: what must happen on chain, written in the same transaction as the business change."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.chain.models import OutboxEntry, OutboxStatus


def enqueue(session: Session, kind: str, subject_id: str, now: datetime) -> OutboxEntry:
    entry = OutboxEntry(kind=kind, subject_id=subject_id, status=OutboxStatus.PENDING, created_at=now)
    session.add(entry)
    return entry


def claim_pending(session: Session, kind: str, limit: int) -> list[OutboxEntry]:
    """Pending entries of one kind, oldest first, locked so that no other worker takes them."""
    return list(
        session.scalars(
            select(OutboxEntry)
            .where(OutboxEntry.kind == kind, OutboxEntry.status == OutboxStatus.PENDING)
            .order_by(OutboxEntry.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def mark_done(entries: list[OutboxEntry], now: datetime, tx_hash: str | None, gas_used: int | None) -> None:
    for entry in entries:
        entry.status = OutboxStatus.DONE
        entry.done_at = now
        entry.tx_hash = tx_hash
        entry.gas_used = gas_used
        entry.attempts += 1
