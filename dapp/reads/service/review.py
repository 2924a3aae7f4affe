"""Decisions on flagged reads (R-READ-8): a platform admin accepts (certifiable from then on) or dismisses."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.access.permissions import PlatformAdmin
from dapp.audit import service as audit
from dapp.models.accounts import Organization
from dapp.models.devices import Device
from dapp.models.reads import DeviceReadState, LateEnergy, MeterRead, ReadStatus
from dapp.reads.errors import ReadNotFlagged, ReadNotFound
from dapp.reads.schemas import ReadReviewCreate, ReviewDecision


def flagged(session: Session, limit: int = 500) -> list[dict[str, Any]]:
    """Flagged reads of every organization, oldest first."""
    rows = session.execute(
        select(
            MeterRead.id,
            MeterRead.period_start,
            MeterRead.period_end,
            MeterRead.energy_wh,
            MeterRead.clear_sky_wh,
            MeterRead.max_energy_wh,
            MeterRead.location_source,
            Device.external_id.label("device_external_id"),
            Device.timezone,
            Organization.name.label("organization"),
        )
        .join(Device, Device.id == MeterRead.device_id)
        .join(Organization, Organization.id == Device.organization_id)
        .where(MeterRead.status == ReadStatus.FLAGGED)
        .order_by(MeterRead.period_end, MeterRead.id)
        .limit(limit)
    )
    return [dict(row._mapping) for row in rows]


def decide(session: Session, admin: PlatformAdmin, read_id: int, data: ReadReviewCreate, now: datetime) -> MeterRead:
    """Accept or dismiss a flagged read; the decision is in the device's organization's audit log."""
    read = session.scalar(select(MeterRead).where(MeterRead.id == read_id).with_for_update())
    if read is None:
        raise ReadNotFound(f"There is no read {read_id}.")
    if read.status != ReadStatus.FLAGGED:
        raise ReadNotFlagged(f"Read {read_id} is {read.status}, not flagged: there is nothing to decide.")
    read.status = ReadStatus.ACCEPTED if data.decision == ReviewDecision.ACCEPT else ReadStatus.DISMISSED
    read.reviewed_at, read.reviewed_by_id, read.review_note = now, admin.user_id, data.note
    session.flush()
    if read.status == ReadStatus.ACCEPTED:
        _note_if_late(session, read)
    device = session.get_one(Device, read.device_id)
    audit.record(
        session,
        admin,
        "meter_read.review",
        "meter_read",
        read.id,
        before={"status": ReadStatus.FLAGGED},
        after={
            "status": read.status,
            "note": data.note,
            "device_external_id": device.external_id,
            "period_start": read.period_start,
            "period_end": read.period_end,
            "energy_wh": read.energy_wh,
        },
        now=now,
        organization_id=device.organization_id,
    )
    return read


def _note_if_late(session: Session, read: MeterRead) -> None:
    """Accepted energy for time that may be certified already is late (R-READ-9): noted for the late-read pass.
    The device's read state is locked, as ingestion locks it, so issuance waits for this decision (ADR 0124)."""
    until = session.scalar(
        select(DeviceReadState.certified_until).where(DeviceReadState.device_id == read.device_id).with_for_update()
    )
    if until is not None and read.energy_wh > 0 and read.period_start is not None and read.period_start < until:
        session.add(LateEnergy(device_id=read.device_id, period_start=read.period_start, period_end=read.period_end))
