"""Reservations, their device memberships and their change log (R-RES).

Exclusivity (R-RES-3) is a database fact: a device's membership periods never overlap. A membership ends at
`active_until` (the reservation's end, or the end of the issuance window in which the buyer removed the device);
the device is free again once the membership is released (`released_at`) and the 12-hour cool-down has passed.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dapp.db import Base
from dapp.models.devices import Device


class Frequency(StrEnum):
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class SplitRule(StrEnum):
    """How a read crossing a window or membership boundary is shared among its parts (R-ISS-2, ADR 0100)."""

    TIME = "split-time/1"  # in proportion to time
    SOLAR = "split-solar/1"  # in proportion to the clear-sky profile, by time where it is flat or unknown


class ChangeKind(StrEnum):
    CREATED = "created"
    DEVICES_CHANGED = "devices_changed"
    ENDED = "ended"


class Reservation(Base):
    __tablename__ = "reservation"
    __table_args__ = (
        Index(
            "uq_reservation_buyer_name",
            "buyer_organization_id",
            text("lower(name)"),
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
        CheckConstraint("period_start < period_end", name="period_order"),
        CheckConstraint("target_wh IS NULL OR target_wh > 0", name="target_positive"),
        CheckConstraint("authority_to_exceed OR target_wh IS NOT NULL", name="target_without_authority"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    buyer_organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    frequency: Mapped[str] = mapped_column(String(10))
    # the rule a reservation was created under, kept for its whole life so every read's parts sum exactly
    split_rule: Mapped[str] = mapped_column(String(20), server_default=SplitRule.SOLAR.value, default=SplitRule.SOLAR)
    timezone: Mapped[str] = mapped_column(String(64))
    target_wh: Mapped[int | None] = mapped_column(BigInteger)
    authority_to_exceed: Mapped[bool]
    standard: Mapped[str] = mapped_column(String(10))
    wallet_address: Mapped[str] = mapped_column(String(42))
    issued_until: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # A reservation deleted before it issued anything: hidden from every list, its devices freed at once.
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    members: Mapped[list["ReservationDevice"]] = relationship(back_populates="reservation")
    changes: Mapped[list["ReservationChange"]] = relationship(
        back_populates="reservation",
        order_by="[ReservationChange.created_at, ReservationChange.outbox_entry_id]",
    )

    @property
    def effective_end(self) -> datetime:
        """When issuance for this reservation stops: its end, or earlier when it was ended."""
        return min(self.period_end, self.ended_at or self.period_end)

    def status(self, now: datetime) -> str:
        """upcoming, active or ended at `now`."""
        if self.deleted_at is not None or self.effective_end <= now:
            return "ended"
        return "upcoming" if now < self.period_start else "active"


class ReservationDevice(Base):
    """A device belongs to a reservation during `[active_from, active_until)`."""

    __tablename__ = "reservation_device"
    __table_args__ = (
        CheckConstraint("active_from < active_until", name="period_order"),
        ExcludeConstraint(
            ("device_id", "="),
            (text("tstzrange(active_from, active_until)"), "&&"),
            name="ex_reservation_device_exclusive",
            using="gist",
        ),
        Index("ix_reservation_device_unreleased", "active_until", postgresql_where=text("released_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    reservation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reservation.id"), index=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"), index=True)
    active_from: Mapped[datetime]
    active_until: Mapped[datetime]
    # When the buyer asked to remove the device (it stays until the end of that issuance window).
    removed_at: Mapped[datetime | None]
    # When the device was handed back to its developer after `active_until` (automatically or by hand).
    released_at: Mapped[datetime | None]

    reservation: Mapped[Reservation] = relationship(back_populates="members")


class ReservationChange(Base):
    """One entry of a reservation's log: created, devices changed, ended; written on chain through the outbox.

    `document` is the device list published in IPFS for created and devices-changed entries (its CID and
    keccak256 go on chain); ended entries carry `ended_at` instead.
    """

    __tablename__ = "reservation_change"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    reservation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reservation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    document: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    ended_at: Mapped[datetime | None]
    outbox_entry_id: Mapped[int | None] = mapped_column(ForeignKey("chain_outbox.id"), unique=True)
    created_at: Mapped[datetime]

    reservation: Mapped[Reservation] = relationship(back_populates="changes")


# The catalogue lists every developer's devices by country and external id (R-RES-2); the device package's own
# indexes lead with the organization. Declared here, next to the query that needs it (migration 0005).
Index("ix_device_catalogue_order", Device.country_code, Device.external_id, Device.id)
