"""Meter reads and what surrounds them: history spans, rejections, per-device ingestion state, idempotency
records, per-country yields, and meter replacements.

An accepted read is an energy interval `[period_start, period_end)` of `energy_wh`. A baseline read has no
interval to certify (its energy is kept but never certified). A flagged read passed the maximum-energy rule but
not the clear-sky check (R-READ-8): it keeps its interval and waits for a review; only `accepted` reads are
certified. `meter_read` is range-partitioned by month of `period_end` (ADR 0030); the partitions live in the
schema `meter_read_part` and are created by `dapp.reads.partitions`.
"""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Numeric,
    PrimaryKeyConstraint,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dapp.db import Base


class ReadStatus:
    ACCEPTED = "accepted"
    BASELINE = "baseline"
    FLAGGED = "flagged"  # passed R-READ-7, failed the clear-sky check: waits for a platform admin or the policy
    DISMISSED = "dismissed"  # a flagged read a platform admin refused: never certified, counted as rejected

    ALL = (ACCEPTED, BASELINE, FLAGGED, DISMISSED)


class HistorySpan(Base):
    """The interval of one history read. Spans of a device never overlap (touching is allowed).

    The exclusion constraint cannot live on the partitioned `meter_read` (a history read may cross months), so
    every history read references its span: overlap-freedom of history reads stays a database fact.
    """

    __tablename__ = "history_span"
    __table_args__ = (
        PrimaryKeyConstraint("device_id", "period_start", "period_end", name="pk_history_span"),
        CheckConstraint("period_start < period_end", name="period_order"),
        ExcludeConstraint(
            ("device_id", "="),
            (text("tstzrange(period_start, period_end)"), "&&"),
            name="ex_history_span_overlap",
            using="gist",
        ),
    )

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"))
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]


class MeterRead(Base):
    __tablename__ = "meter_read"
    __table_args__ = (
        PrimaryKeyConstraint("id", "period_end", name="pk_meter_read"),
        CheckConstraint("energy_wh >= 0", name="energy_non_negative"),
        CheckConstraint("period_start IS NULL OR period_start < period_end", name="period_order"),
        CheckConstraint("status IN ('accepted', 'baseline', 'flagged', 'dismissed')", name="status"),
        CheckConstraint("status = 'baseline' OR period_start IS NOT NULL", name="certifiable_has_start"),
        CheckConstraint("read_type <> 'history' OR status <> 'baseline'", name="history_never_baseline"),
        CheckConstraint("reviewed_at IS NULL OR status IN ('accepted', 'dismissed')", name="reviewed_is_decided"),
        Index(
            "uq_meter_read_ongoing_end",
            "device_id",
            "period_end",
            unique=True,
            postgresql_where=text("read_type <> 'history'"),
        ),
        Index(
            "uq_meter_read_history_span",
            "device_id",
            "period_start",
            "period_end",
            unique=True,
            postgresql_where=text("read_type = 'history'"),
        ),
        Index("ix_meter_read_device_end", "device_id", "period_end"),
        Index("ix_meter_read_flagged", "period_end", postgresql_where=text("status = 'flagged'")),
        ForeignKeyConstraint(
            ["device_id", "history_start", "period_end"],
            ["history_span.device_id", "history_span.period_start", "history_span.period_end"],
            name="fk_meter_read_history_span",
        ),
        {"postgresql_partition_by": "RANGE (period_end)"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity())
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"))
    read_type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    status_reason: Mapped[str | None] = mapped_column(String(40))
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime]
    history_start: Mapped[datetime | None] = mapped_column(
        Computed("CASE WHEN read_type = 'history' THEN period_start END", persisted=True)
    )
    value_wh: Mapped[int] = mapped_column(BigInteger)
    energy_wh: Mapped[int] = mapped_column(BigInteger)
    max_energy_wh: Mapped[int | None] = mapped_column(BigInteger)
    rule_version: Mapped[str] = mapped_column(String(20))
    yield_kwh_per_kwp: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    yield_source: Mapped[str | None] = mapped_column(String(10))
    clear_sky_wh: Mapped[int | None] = mapped_column(BigInteger)
    clear_sky_rule: Mapped[str | None] = mapped_column(String(20))
    location_source: Mapped[str | None] = mapped_column(String(20))
    received_at: Mapped[datetime]
    # the decision on a flagged read: by a platform admin (reviewed_by_id) or by the configured policy
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    review_policy: Mapped[str | None] = mapped_column(String(60))
    review_note: Mapped[str | None] = mapped_column(String(500))


class RejectedRead(Base):
    """A read that was refused, with its reason. `energy_wh` is the energy it claimed where that is known
    (delta and history reads); a refused aggregate read claims no energy of its own, because the next accepted
    register value covers its interval."""

    __tablename__ = "rejected_read"
    __table_args__ = (Index("ix_rejected_read_device_end", "device_id", "period_end"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"))
    read_type: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    value_wh: Mapped[int | None] = mapped_column(BigInteger)
    energy_wh: Mapped[int | None] = mapped_column(BigInteger)
    max_energy_wh: Mapped[int | None] = mapped_column(BigInteger)
    reason_code: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(500))
    received_at: Mapped[datetime]


class DeviceReadState(Base):
    """Where a device's ongoing reads stand; locked per device while a batch is validated.

    `next_baseline_reason` makes the next ongoing read a baseline (set by a meter replacement).
    """

    __tablename__ = "device_read_state"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"), primary_key=True)
    ongoing_type: Mapped[str | None] = mapped_column(String(10))
    last_end_at: Mapped[datetime | None]
    last_register_wh: Mapped[int | None] = mapped_column(BigInteger)
    next_baseline_reason: Mapped[str | None] = mapped_column(String(40))
    # Before this instant the device's time may already be certified (a reservation issued it): accepted energy
    # that arrives for it is late (R-READ-9) and is noted in `late_energy`. Issuance moves it on under the lock.
    certified_until: Mapped[datetime | None]


class LateEnergy(Base):
    """Accepted energy of a device that arrived for time a reservation may already have certified: the outbox
    the late-read pass consumes (R-READ-9, ADR 0124), so that the pass never scans the stored reads."""

    __tablename__ = "late_energy"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"), index=True)
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]


class IdempotencyRecord(Base):
    """The first response to a request carrying an `Idempotency-Key`, replayed for retries."""

    __tablename__ = "idempotency_record"

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime]


class CountryYield(Base):
    """The platform's yield for a country (kWh/kWp/year), used when a device has no override (R-READ-7)."""

    __tablename__ = "country_yield"
    __table_args__ = (CheckConstraint("yield_kwh_per_kwp > 0 AND yield_kwh_per_kwp <= 8760", name="yield_range"),)

    country_code: Mapped[str] = mapped_column(String(3), primary_key=True)
    yield_kwh_per_kwp: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))


class MeterReplacement(Base):
    """An aggregate meter was replaced at `replaced_at`: the device's next read is a new baseline (R-READ-5)."""

    __tablename__ = "meter_replacement"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"), index=True)
    replaced_at: Mapped[datetime]
    final_register_wh: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_by_api_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_key.id"))
    recorded_at: Mapped[datetime]
