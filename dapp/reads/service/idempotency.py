"""`Idempotency-Key`: a retried request with the same key gets the first answer and stores nothing twice."""

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.db import flush_or_raise
from dapp.models.reads import IdempotencyRecord
from dapp.reads.errors import IdempotencyKeyInUse, IdempotencyKeyReused


def request_fingerprint(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def replay(session: Session, actor: Actor, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """The stored first answer for this key, or None; the same key with another request is an error.

    The key is locked for the rest of the transaction, so a retry racing the first request waits for it.
    """
    record = session.scalar(
        select(IdempotencyRecord)
        .where(IdempotencyRecord.organization_id == actor.organization_id, IdempotencyRecord.key == key)
        .with_for_update()
    )
    if record is not None and record.request_hash != fingerprint:
        raise IdempotencyKeyReused("This Idempotency-Key was already used for a different request.")
    return record


def remember(
    session: Session, actor: Actor, key: str, fingerprint: str, status: int, response: dict[str, Any], now: datetime
) -> None:
    session.add(
        IdempotencyRecord(
            organization_id=actor.organization_id,
            key=key,
            request_hash=fingerprint,
            status_code=status,
            response=response,
            created_at=now,
        )
    )
    in_use = IdempotencyKeyInUse("Another request with this Idempotency-Key is being processed; retry it.")
    flush_or_raise(session, in_use)
