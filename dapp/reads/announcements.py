"""What a batch of reads tells the organization's webhooks (R-API-2): one `reads.rejected` and one `reads.flagged`
event per batch that has such reads, with their count and the first 100 of them (device, interval, reason)."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from dapp import events

LISTED = 100
KINDS = {"rejected": "reads.rejected", "flagged": "reads.flagged"}


class Judged(Protocol):
    index: int
    status: str
    reason_code: str | None
    detail: str | None
    start: datetime | None
    end: datetime | None


def announce(
    session: Session,
    organization_id: uuid.UUID,
    external_ids: list[str],
    results: Sequence[Sequence[Judged]],
    now: datetime,
) -> None:
    """Record the batch's rejected and flagged reads as events (nothing when it has none)."""
    for status, kind in KINDS.items():
        reads = [
            (external_id, outcome)
            for external_id, outcomes in zip(external_ids, results, strict=True)
            for outcome in outcomes
            if outcome.status == status
        ]
        if reads:
            events.emit(session, organization_id, kind, _data(reads, now), now)


def _data(reads: list[tuple[str, Judged]], received_at: datetime) -> dict[str, Any]:
    return {
        "received_at": received_at,
        "count": len(reads),
        "reads": [
            {
                "external_id": external_id,
                "index": outcome.index,
                "start": outcome.start,
                "end": outcome.end,
                "reason_code": outcome.reason_code,
                "detail": outcome.detail,
            }
            for external_id, outcome in reads[:LISTED]
        ],
    }
