"""Recording reads: one device's batch (R-READ-1), a multi-device batch, and the D-REC shape (R-READ-2)."""

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.errors import Invalid
from dapp.models.reads import ReadStatus
from dapp.reads import drec
from dapp.reads.errors import OrganizationMismatch, ReadsRejected
from dapp.reads.ingest import Block, Outcome, ingest
from dapp.reads.schemas import (
    DrecReadBatchCreate,
    MultiDeviceBatchCreate,
    ReadBatchCreate,
    ReadIn,
    ReadType,
)
from dapp.reads.validation import Policy
from dapp.settings import Settings


def policy_from(settings: Settings, now: datetime, acknowledge_old: bool = False) -> Policy:
    ratio = settings.flagged_auto_accept_ratio
    return Policy(
        now=now,
        acknowledge_old=acknowledge_old,
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
        baseline_gap=timedelta(days=settings.baseline_gap_days),
        default_yield=Decimal(settings.default_yield_kwh_per_kwp),
        history_max_age=timedelta(days=settings.history_max_age_days),
        acknowledgement_age=timedelta(days=settings.history_acknowledgement_days),
        flagged_auto_accept_ratio=Decimal(str(ratio)) if ratio is not None else None,
    )


def record_batch(
    session: Session, actor: Actor, external_id: str, batch: ReadBatchCreate, policy: Policy, atomic: bool
) -> dict[str, Any]:
    """Reads of one of the actor's devices; another organization's or an unknown device is 'not found'."""
    blocks = [Block(external_id, batch)]
    [results] = ingest(session, actor.organization_id, blocks, policy, atomic, unknown_device_is_error=True)
    return summarize(external_id, results)


def record_batches(
    session: Session, actor: Actor, body: MultiDeviceBatchCreate, policy: Policy, atomic: bool
) -> list[dict[str, Any]]:
    """Reads of many devices; a block naming an unknown device has each of its reads rejected."""
    blocks = [Block(block.external_id, block) for block in body.devices]
    results = ingest(session, actor.organization_id, blocks, policy, atomic)
    return [summarize(block.external_id, block_results) for block, block_results in zip(blocks, results, strict=True)]


def record_drec_batch(
    session: Session, actor: Actor, external_id: str, body: DrecReadBatchCreate, policy: Policy
) -> dict[str, Any]:
    """The original platform's request: all reads stored, or none (a rejected read is a 409, as it was there).
    Its integrators never sent an acknowledgement, so history reads older than 12 months count as acknowledged
    (up to 3 years, R-READ-3), as the original accepted them."""
    claimed = drec.organization_of_ours(body.organizationId)
    if claimed is not None and claimed != str(actor.organization_id):
        raise OrganizationMismatch("organizationId is not the organization of this API key.")
    acknowledged = replace(policy, acknowledge_old=True)
    try:
        return record_batch(session, actor, external_id.strip(), from_drec(body), acknowledged, atomic=True)
    except Invalid as error:
        if error.code != "batch_rejected":
            raise
        [results] = error.extra["results"]
        statuses = [r["status"] for r in results]
        raise ReadsRejected(
            "At least one read was rejected: nothing was stored.",
            device_external_id=external_id.strip(),
            accepted=0,
            flagged=0,
            rejected=statuses.count("rejected"),
            results=results,  # as in the answer of success: one list, one outcome per read
        ) from error


def from_drec(body: DrecReadBatchCreate) -> ReadBatchCreate:
    """The D-REC body mapped onto R-READ-1 (ADR 0101): `History|Delta|Aggregate` → lower case, `*timestamp` →
    start/end with epoch milliseconds and blanks read as the original read them, times without an offset in UTC
    unless `timezone` names a zone (in any case)."""
    return ReadBatchCreate(
        type=ReadType(body.type.lower()),
        unit=body.unit,
        timezone=drec.zone(body.timezone),
        reads=[
            ReadIn(start=drec.timestamp(r.starttimestamp), end=drec.timestamp(r.endtimestamp) or "", value=r.value)
            for r in body.reads
        ],
    )


def summarize(external_id: str, results: list[Outcome]) -> dict[str, Any]:
    """A `ReadBatchResult` as the route writes it (`PlainJson`): a dict holding the outcomes themselves."""
    statuses = [r.status for r in results]
    rejected = statuses.count("rejected")
    flagged = statuses.count(ReadStatus.FLAGGED)
    return {
        "device_external_id": external_id,
        "accepted": len(results) - rejected,
        "flagged": flagged,
        "rejected": rejected,
        "results": results,
    }
