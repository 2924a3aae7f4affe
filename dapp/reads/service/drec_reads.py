"""Reading a device's reads back in the original D-REC platform's shape (R-READ-2, ADR 0101).

The original answered `GET /api/meter-reads/new/{externalId}?readType=meterReads&start&end&pagenumber` with
`{historyread, ongoing, numberOfReads, numberOfPages, currentPageNumber, timezone}`, five reads of each kind a
page, each `{startdate, enddate, value}` in Wh. Here the reads are the stored ones (accepted, flagged, baseline;
not dismissed) ending in [start, end], oldest first; a baseline has no start and its value is its register.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.models.reads import MeterRead, ReadStatus
from dapp.reads.schemas import DrecReadQuery
from dapp.reads.service.devices import own_device

PAGE_SIZE = 5
HISTORY = "history"


def read_back(session: Session, actor: Actor, external_id: str, query: DrecReadQuery) -> dict[str, Any]:
    device = own_device(session, actor, external_id)
    offset = (query.pagenumber - 1) * PAGE_SIZE
    kinds = {}
    counts = []
    for name, is_history in (("historyread", True), ("ongoing", False)):
        stored = (
            (MeterRead.device_id == device.id)
            & (MeterRead.status != ReadStatus.DISMISSED)
            & ((MeterRead.read_type == HISTORY) == is_history)
            & MeterRead.period_end.between(query.start, query.end)
        )
        counts.append(session.scalar(select(func.count()).where(stored)) or 0)
        rows = session.execute(
            select(
                MeterRead.period_start, MeterRead.period_end, MeterRead.energy_wh, MeterRead.value_wh, MeterRead.status
            )
            .where(stored)
            .order_by(MeterRead.period_end)
            .offset(offset)
            .limit(PAGE_SIZE)
        )
        kinds[name] = [_read(r) for r in rows]
    return {
        **kinds,
        "numberOfReads": sum(counts),
        "numberOfPages": -(-max(counts) // PAGE_SIZE),
        "currentPageNumber": query.pagenumber,
        "timezone": device.timezone,
    }


def _read(row: Any) -> dict[str, Any]:
    value = row.value_wh if row.status == ReadStatus.BASELINE else row.energy_wh
    return {"startdate": _iso(row.period_start), "enddate": _iso(row.period_end), "value": value}


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat().replace("+00:00", "Z") if instant is not None else None
