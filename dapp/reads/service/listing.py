"""All reads of a device between two days (R-READ-10, R-TZ-2): stored and rejected reads together, each with
its UTC and device-local time, the Wh certified of it, and the device's production per hour or day.

A read `[start, end)` belongs to the day (or hour) of its last instant, so a read ending at local midnight is
listed and charted with the evening before it (ADR 0034); a rejected read whose timestamps could not be read is
listed, after the others, in the day it was received (ADR 0036)."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import CompoundSelect, Select, func, literal, select, text, union_all
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.errors import field_error
from dapp.models.devices import Device
from dapp.models.issuance import CertifiedEnergy
from dapp.models.reads import MeterRead, ReadStatus, RejectedRead
from dapp.reads.energy import ends_in, part_wh, rejected_in
from dapp.reads.schemas import ReadPage, ReadQuery, ReadRow
from dapp.reads.service.devices import own_device

STORED_STATUSES = {*ReadStatus.ALL, "rejected"}
CSV_LIMIT = 100_000
CSV_COLUMNS = list(ReadRow.model_fields)


@dataclass(frozen=True)
class Range:
    device: Device
    start: datetime  # UTC, first instant of the first day in the device's zone
    end: datetime  # UTC, first instant after the last day


def day_range(device: Device, first: date, last: date) -> Range:
    tz = ZoneInfo(device.timezone)
    return Range(device, _utc(first, tz), _utc(last + timedelta(days=1), tz))


def _utc(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz).astimezone(ZoneInfo("UTC"))


def read_page(session: Session, actor: Actor, external_id: str, query: ReadQuery) -> ReadPage:
    device = own_device(session, actor, external_id)
    span = day_range(device, query.start, query.end)
    rows, total = _rows(session, span, query.status, (query.page - 1) * query.size, query.size)
    return ReadPage(
        device_external_id=device.external_id,
        timezone=device.timezone,
        page=query.page,
        size=query.size,
        total=total,
        items=rows,
    )


def export_csv(session: Session, actor: Actor, external_id: str, first: date, last: date) -> str:
    device = own_device(session, actor, external_id)
    rows, _ = _rows(session, day_range(device, first, last), None, 0, CSV_LIMIT)
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row.model_dump(mode="json"))
    return out.getvalue()


def _rows(session: Session, span: Range, status: str | None, offset: int, limit: int) -> tuple[list[ReadRow], int]:
    if status is not None and status not in STORED_STATUSES:
        raise field_error("status", f"Unknown status '{status}'; accepted: {', '.join(sorted(STORED_STATUSES))}.")
    both = _union(span, status).subquery()
    total = session.scalar(select(func.count()).select_from(both)) or 0
    page = session.execute(select(both).order_by(both.c.period_end, both.c.id).offset(offset).limit(limit)).all()
    ranges = _certified_ranges(session, span.device, page)
    return [_row(r, span.device.timezone, ranges) for r in page], total


def _union(span: Range, status: str | None) -> Select[Any] | CompoundSelect[Any]:
    device_id = span.device.id
    stored = select(
        MeterRead.id,
        MeterRead.read_type,
        MeterRead.status,
        MeterRead.status_reason.label("reason_code"),
        literal(None).label("detail"),
        MeterRead.period_start,
        MeterRead.period_end,
        MeterRead.value_wh,
        MeterRead.energy_wh,
        MeterRead.max_energy_wh,
        MeterRead.clear_sky_wh,
        MeterRead.location_source,
    ).where(MeterRead.device_id == device_id, ends_in(MeterRead.period_end, span.start, span.end))
    rejected = select(
        RejectedRead.id,
        RejectedRead.read_type,
        literal("rejected").label("status"),
        RejectedRead.reason_code,
        RejectedRead.detail,
        RejectedRead.period_start,
        RejectedRead.period_end,
        RejectedRead.value_wh,
        RejectedRead.energy_wh,
        RejectedRead.max_energy_wh,
        literal(None).label("clear_sky_wh"),
        literal(None).label("location_source"),
    ).where(RejectedRead.device_id == device_id, rejected_in(span.start, span.end))
    if status == "rejected":
        return rejected
    if status is not None:
        return stored.where(MeterRead.status == status)
    return union_all(stored, rejected)


def _certified_ranges(session: Session, device: Device, rows: Sequence[Any]) -> list[tuple[datetime, datetime]]:
    accepted = [r for r in rows if r.period_start is not None and r.status == ReadStatus.ACCEPTED]
    if not accepted:
        return []
    result = session.execute(
        select(CertifiedEnergy.period_start, CertifiedEnergy.period_end).where(
            CertifiedEnergy.device_id == device.id,
            CertifiedEnergy.period_end > min(r.period_start for r in accepted),
            CertifiedEnergy.period_start < max(r.period_end for r in accepted),
        )
    )
    return [(r.period_start, r.period_end) for r in result]


def certified_of(read: Any, ranges: list[tuple[datetime, datetime]]) -> int:
    """The Wh of an accepted read that certificates hold: its pro-rata parts inside certified ranges."""
    if read.status != ReadStatus.ACCEPTED or read.period_start is None:
        return 0
    parts = (
        part_wh(read.energy_wh, read.period_start, read.period_end, max(a, read.period_start), min(b, read.period_end))
        for a, b in ranges
        if a < read.period_end and b > read.period_start
    )
    return sum(parts)


def _row(r: Any, timezone: str, ranges: list[tuple[datetime, datetime]]) -> ReadRow:
    certified = certified_of(r, ranges)
    status = (
        "certified" if r.status == ReadStatus.ACCEPTED and r.energy_wh > 0 and certified == r.energy_wh else r.status
    )
    return ReadRow(
        kind="history" if r.read_type == "history" else "ongoing",
        read_type=r.read_type,
        status=status,
        reason_code=r.reason_code,
        detail=r.detail,
        start_utc=r.period_start,
        end_utc=r.period_end,
        start_local=local(r.period_start, timezone),
        end_local=local(r.period_end, timezone),
        value_wh=r.value_wh,
        energy_wh=r.energy_wh,
        certified_wh=certified,
        max_energy_wh=r.max_energy_wh,
        clear_sky_wh=r.clear_sky_wh,
        location_source=r.location_source,
    )


def local(instant: datetime | None, timezone: str) -> str | None:
    if instant is None:
        return None
    return f"{instant.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M} {timezone}"


PRODUCTION = text("""
SELECT date_trunc(:unit, (period_end - interval '1 microsecond') AT TIME ZONE :tz) AS bucket,
       sum(energy_wh)::bigint AS wh
FROM meter_read
WHERE device_id = :device_id AND period_end > :start AND period_end <= :end AND status IN ('accepted', 'flagged')
GROUP BY 1 ORDER BY 1
""")


HOURLY_DAYS = 2


def production(session: Session, actor: Actor, external_id: str, first: date, last: date) -> dict[str, Any]:
    """Energy per hour (ranges of one or two days) or per day, in the local hour or day of each read's last instant
    (chart data). The default week is seven day bars: hourly bars over a week are too thin to read."""
    device = own_device(session, actor, external_id)
    span = day_range(device, first, last)
    hourly = (last - first).days < HOURLY_DAYS
    unit, step = ("hour", timedelta(hours=1)) if hourly else ("day", timedelta(days=1))
    rows = session.execute(
        PRODUCTION,
        {"unit": unit, "tz": device.timezone, "device_id": device.id, "start": span.start, "end": span.end},
    )
    by_bucket = {row.bucket: int(row.wh) for row in rows}
    labels, values = [], []
    bucket = datetime.combine(first, time())
    while bucket < datetime.combine(last + timedelta(days=1), time()):
        labels.append(bucket.strftime("%Y-%m-%d %H:00" if hourly else "%Y-%m-%d"))
        values.append(by_bucket.get(bucket, 0))
        bucket += step
    return {"unit": unit, "timezone": device.timezone, "labels": labels, "wh": values}
