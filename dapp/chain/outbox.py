"""The chain outbox: what must happen on chain, written in the same transaction as the business change.

Every kind of entry (mints, claims, reservation logs) follows one life cycle and one retry policy:
pending → sent (its transaction recorded, see dapp.chain.sending) → done; a failed try puts it back to pending
until `next_attempt_at`, and the policy's last failed try makes it failed (ADR 0052).
"""

import random
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from dapp.models.chain import ChainTransaction, OutboxEntry, OutboxStatus

ERROR_LENGTH = 1000


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: the n-th failed try waits base·2ⁿ⁻¹ (at most `max_seconds`) ± jitter."""

    max_attempts: int
    base_seconds: float
    max_seconds: float
    jitter: float

    @classmethod
    def from_settings(cls, settings: Any) -> "RetryPolicy":
        return cls(
            settings.outbox_max_attempts,
            settings.outbox_retry_base_seconds,
            settings.outbox_retry_max_seconds,
            settings.outbox_retry_jitter,
        )

    def delay(self, attempts: int) -> timedelta:
        """How long to wait after the `attempts`-th failed try."""
        nominal = min(self.max_seconds, self.base_seconds * 2 ** min(attempts - 1, 60))
        scatter = random.uniform(1 - self.jitter, 1 + self.jitter)  # noqa: S311 - spreads retries, not a secret
        return timedelta(seconds=nominal * scatter)


def enqueue(session: Session, kind: str, subject_id: str, now: datetime) -> OutboxEntry:
    entry = OutboxEntry(kind=kind, subject_id=subject_id, status=OutboxStatus.PENDING, created_at=now)
    session.add(entry)
    return entry


def due(query: Select[tuple[OutboxEntry]], now: datetime) -> Select[tuple[OutboxEntry]]:
    """Narrow a query of entries to the pending ones whose backoff is over."""
    return query.where(
        OutboxEntry.status == OutboxStatus.PENDING,
        or_(OutboxEntry.next_attempt_at.is_(None), OutboxEntry.next_attempt_at <= now),
    )


def claim_due(
    session: Session, kind: str, limit: int, now: datetime, exclude: Collection[int] = ()
) -> list[OutboxEntry]:
    """Due entries of one kind (but those in `exclude`), oldest first, locked so that no other worker takes them."""
    query = due(select(OutboxEntry).where(OutboxEntry.kind == kind, OutboxEntry.id.not_in(exclude)), now)
    return list(session.scalars(query.order_by(OutboxEntry.id).limit(limit).with_for_update(skip_locked=True)))


def mark_sent(entries: list[OutboxEntry], transaction: ChainTransaction) -> None:
    """The entries' transaction is signed and recorded: from now on only its receipt (or nonce) decides."""
    for entry in entries:
        entry.status = OutboxStatus.SENT
        entry.transaction_id = transaction.id
        entry.tx_hash = transaction.tx_hash


def mark_done(entries: list[OutboxEntry], now: datetime, tx_hash: str | None, gas_used: int | None) -> None:
    for entry in entries:
        entry.status = OutboxStatus.DONE
        entry.done_at = now
        entry.tx_hash = tx_hash
        entry.gas_used = gas_used
        entry.next_attempt_at = None
        entry.attempts += 1


def record_failure(
    entries: list[OutboxEntry], error: str, policy: RetryPolicy, now: datetime, final: Collection[int] = ()
) -> list[OutboxEntry]:
    """A try of these entries failed: back off, or give up on those out of attempts or whose failure is `final`
    (returned)."""
    gave_up = []
    for entry in entries:
        entry.attempts += 1
        entry.last_error = error[:ERROR_LENGTH]
        entry.transaction_id = entry.tx_hash = None
        if entry.attempts >= policy.max_attempts or entry.id in final:
            entry.status, entry.next_attempt_at = OutboxStatus.FAILED, None
            gave_up.append(entry)
        else:
            entry.status, entry.next_attempt_at = OutboxStatus.PENDING, now + policy.delay(entry.attempts)
    return gave_up


def note_error(entries: list[OutboxEntry], error: str) -> None:
    """Show why in-flight entries are still waiting (their transaction is unresolved); no attempt is spent."""
    for entry in entries:
        entry.last_error = error[:ERROR_LENGTH]


def reset_for_retry(entry: OutboxEntry) -> None:
    """Make a failed or backing-off entry due now, with a fresh budget of attempts (an admin's "retry now")."""
    entry.status = OutboxStatus.PENDING
    entry.attempts = 0
    entry.next_attempt_at = None


def needing_attention(session: Session, limit: int) -> list[OutboxEntry]:
    """Failed entries, entries backing off after a failed try, and entries in flight; the oldest `limit`."""
    query = select(OutboxEntry).where(
        OutboxEntry.status != OutboxStatus.DONE,
        or_(OutboxEntry.status != OutboxStatus.PENDING, OutboxEntry.attempts > 0),
    )
    return list(session.scalars(query.order_by(OutboxEntry.id).limit(limit)))


def describe(error: BaseException) -> str:
    """An error as stored on entries: its type and message, shortened to the column's size."""
    return f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
