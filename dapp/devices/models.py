"""Devices (R-DEV-1 … R-DEV-4)."""

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from dapp.db import Base


class Device(Base):
    __tablename__ = "device"
    __table_args__ = (
        Index("uq_device_org_external_id", "organization_id", text("lower(external_id)"), unique=True),
        CheckConstraint("capacity_kw > 0 AND capacity_kw <= 1000000", name="capacity_range"),
        CheckConstraint("external_id ~ '^[A-Za-z0-9_-]{1,64}$'", name="external_id_charset"),
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    project_name: Mapped[str | None] = mapped_column(String(200))
    country_code: Mapped[str] = mapped_column(String(3))
    commissioning_date: Mapped[date]
    capacity_kw: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    fuel_code: Mapped[str] = mapped_column(String(10))
    device_type_code: Mapped[str] = mapped_column(String(10))
    off_taker: Mapped[str | None] = mapped_column(String(40))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    timezone: Mapped[str] = mapped_column(String(64))
    yield_kwh_per_kwp: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    onboarded_at: Mapped[datetime] = mapped_column()
