"""Reservations and their device memberships (R-RES).

Exclusivity (R-RES-3) is a database fact: a device's membership periods never overlap.
"""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dapp.db import Base


class Frequency(StrEnum):
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class Reservation(Base):
    __tablename__ = "reservation"
    __table_args__ = (
        Index("uq_reservation_buyer_name", "buyer_organization_id", text("lower(name)"), unique=True),
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
    timezone: Mapped[str] = mapped_column(String(64))
    target_wh: Mapped[int | None] = mapped_column(BigInteger)
    authority_to_exceed: Mapped[bool]
    standard: Mapped[str] = mapped_column(String(10))
    wallet_address: Mapped[str] = mapped_column(String(42))
    issued_until: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    members: Mapped[list["ReservationDevice"]] = relationship(back_populates="reservation")


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
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    reservation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reservation.id"), index=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"), index=True)
    active_from: Mapped[datetime]
    active_until: Mapped[datetime]

    reservation: Mapped[Reservation] = relationship(back_populates="members")
