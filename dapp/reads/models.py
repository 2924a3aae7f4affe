"""Accepted and rejected meter reads, the per-device ingestion state and idempotency records.

An accepted read is an energy interval `[period_start, period_end)` of `energy_wh`. A baseline read has no
interval to certify (its energy is kept but never certified). Rejected reads are kept with their reason so
the energy ledger can show every Wh a device reported.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Identity, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dapp.db import Base


class ReadStatus:
    ACCEPTED = "accepted"
    BASELINE = "baseline"


class MeterRead(Base):
    __tablename__ = "meter_read"
    __table_args__ = (
        CheckConstraint("energy_wh >= 0", name="energy_non_negative"),
        CheckConstraint("period_start IS NULL OR period_start < period_end", name="period_order"),
        CheckConstraint("status IN ('accepted', 'baseline')", name="status"),
        CheckConstraint("status = 'baseline' OR period_start IS NOT NULL", name="certifiable_has_start"),
        Index(
            "uq_meter_read_ongoing_end",
            "device_id",
            "period_end",
            unique=True,
            postgresql_where=text("read_type <> 'history'"),
        ),
        ExcludeConstraint(
            ("device_id", "="),
            (text("tstzrange(period_start, period_end)"), "&&"),
            name="ex_meter_read_history_overlap",
            using="gist",
            where=text("read_type = 'history'"),
        ),
        Index("ix_meter_read_device_end", "device_id", "period_end"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"))
    read_type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    status_reason: Mapped[str | None] = mapped_column(String(40))
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime]
    value_wh: Mapped[int] = mapped_column(BigInteger)
    energy_wh: Mapped[int] = mapped_column(BigInteger)
    max_energy_wh: Mapped[int | None] = mapped_column(BigInteger)
    rule_version: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime]


class RejectedRead(Base):
    __tablename__ = "rejected_read"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"), index=True)
    read_type: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    value_wh: Mapped[int | None] = mapped_column(BigInteger)
    reason_code: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(500))
    received_at: Mapped[datetime]


class DeviceReadState(Base):
    """Where a device's ongoing reads stand; locked per device while a batch is validated."""

    __tablename__ = "device_read_state"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"), primary_key=True)
    ongoing_type: Mapped[str | None] = mapped_column(String(10))
    last_end_at: Mapped[datetime | None]
    last_register_wh: Mapped[int | None] = mapped_column(BigInteger)


class IdempotencyRecord(Base):
    """The first response to a request carrying an `Idempotency-Key`, replayed for retries."""

    __tablename__ = "idempotency_record"

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime]
