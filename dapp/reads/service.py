"""Meter-read use cases: recording a batch for one of the actor's devices, with idempotent retries."""

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.accounts.permissions import Actor
from dapp.devices import service as devices
from dapp.errors import Invalid
from dapp.reads.ingest import Policy, ingest
from dapp.reads.models import IdempotencyRecord
from dapp.reads.schemas import ReadBatchCreate, ReadBatchResult
from dapp.settings import Settings


def policy_from(settings: Settings, now: datetime, acknowledge_old: bool = False) -> Policy:
    return Policy(
        now=now,
        acknowledge_old=acknowledge_old,
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
        baseline_gap=timedelta(days=settings.baseline_gap_days),
        default_yield=Decimal(settings.default_yield_kwh_per_kwp),
    )


def record_batch(
    session: Session, actor: Actor, external_id: str, batch: ReadBatchCreate, policy: Policy, atomic: bool
) -> ReadBatchResult:
    device = devices.get_by_external_id(session, actor, external_id)
    results = ingest(session, device, batch, policy, atomic)
    accepted = sum(1 for r in results if r.status != "rejected")
    return ReadBatchResult(
        device_external_id=device.external_id, accepted=accepted, rejected=len(results) - accepted, results=results
    )


def request_fingerprint(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def replay(session: Session, actor: Actor, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """The stored first answer for this key, or None; the same key with another request is an error."""
    record = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.organization_id == actor.organization_id, IdempotencyRecord.key == key
        )
    )
    if record is not None and record.request_hash != fingerprint:
        raise Invalid("This Idempotency-Key was already used for a different request.", code="idempotency_key_reused")
    return record


def remember(
    session: Session, actor: Actor, key: str, fingerprint: str, status: int, response: dict, now: datetime
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
    session.flush()
