"""Devices (R-DEV-1 … R-DEV-4), developers' projects (R-DEV-8) and bulk-upload jobs (R-DEV-7)."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dapp.codes import SDGS
from dapp.db import Base

_SDG_ARRAY = "ARRAY[" + ", ".join(f"'{code}'" for code in SDGS) + "]::varchar[]"


class Project(Base):
    """A developer's group of devices with an impact story, SDGs and images (stored by CID)."""

    __tablename__ = "project"
    __table_args__ = (
        Index("uq_project_org_name", "organization_id", text("lower(name)"), unique=True),
        CheckConstraint(f"sdg_benefits <@ {_SDG_ARRAY}", name="sdg_codes"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    impact_story: Mapped[str | None] = mapped_column(Text)
    sdg_benefits: Mapped[list[str]] = mapped_column(ARRAY(String(5)), server_default="{}", default=list)
    image_cids: Mapped[list[str]] = mapped_column(ARRAY(String(100)), server_default="{}", default=list)
    created_at: Mapped[datetime]


class Device(Base):
    __tablename__ = "device"
    __table_args__ = (
        Index("uq_device_org_external_id", "organization_id", text("lower(external_id)"), unique=True),
        Index("ix_device_org_onboarded", "organization_id", "onboarded_at", "id"),
        # One index per sort column of My devices, ending with the tie-breaker (R-NF-6).
        Index("ix_device_org_commissioning", "organization_id", "commissioning_date", "id"),
        Index("ix_device_org_capacity", "organization_id", "capacity_kw", "id"),
        Index("ix_device_org_country", "organization_id", "country_code", "id"),
        Index("ix_device_org_project_name", "organization_id", "project_name", "id"),
        Index("ix_device_org_off_taker", "organization_id", "off_taker"),
        Index("ix_device_sdg_benefits", "sdg_benefits", postgresql_using="gin"),
        CheckConstraint("capacity_kw > 0 AND capacity_kw <= 1000000", name="capacity_range"),
        CheckConstraint(
            "external_id ~ '^[A-Za-z0-9_-]([A-Za-z0-9_ -]{0,62}[A-Za-z0-9_-])?$'", name="external_id_charset"
        ),
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"),
        CheckConstraint(f"sdg_benefits <@ {_SDG_ARRAY}", name="sdg_codes"),
        CheckConstraint(
            "energy_storage_capacity_kwh IS NULL OR (energy_storage AND energy_storage_capacity_kwh >= 0)",
            name="storage_capacity",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    project_name: Mapped[str | None] = mapped_column(String(200))
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"), index=True)
    country_code: Mapped[str] = mapped_column(String(3))
    commissioning_date: Mapped[date]
    capacity_kw: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    fuel_code: Mapped[str] = mapped_column(String(10))
    device_type_code: Mapped[str] = mapped_column(String(10))
    off_taker: Mapped[str | None] = mapped_column(String(40))
    device_description: Mapped[str | None] = mapped_column(String(40))
    impact_story: Mapped[str | None] = mapped_column(Text)
    sdg_benefits: Mapped[list[str]] = mapped_column(ARRAY(String(5)), server_default="{}", default=list)
    address: Mapped[str | None] = mapped_column(String(500))
    quality_labels: Mapped[str | None] = mapped_column(String(500))
    grid_interconnection: Mapped[bool] = mapped_column(server_default=text("false"), default=False)
    energy_storage: Mapped[bool] = mapped_column(server_default=text("false"), default=False)
    energy_storage_capacity_kwh: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    timezone: Mapped[str] = mapped_column(String(64))
    yield_kwh_per_kwp: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    onboarded_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime | None]


class UploadStatus:
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"


class RowStatus(StrEnum):
    """Per-row outcome of a bulk upload (R-DEV-7)."""

    SUCCESS = "success"
    PARTIAL = "success_with_errors"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """What people read."""
        return {"success": "Success", "success_with_errors": "Success with validation errors"}.get(self, "Failed")


class DeviceUpload(Base):
    """A bulk-upload job: the CSV file (by CID) and its progress; its rows are the job log."""

    __tablename__ = "device_upload"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'finished')", name="status"),
        CheckConstraint("rows_done BETWEEN 0 AND row_count", name="progress"),
        Index("ix_device_upload_org_created", "organization_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    notify_email: Mapped[str | None] = mapped_column(String(320))
    file_name: Mapped[str] = mapped_column(String(255))
    file_cid: Mapped[str] = mapped_column(String(100))
    file_size: Mapped[int] = mapped_column(Integer)
    row_count: Mapped[int] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default=UploadStatus.QUEUED)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class DeviceUploadRow(Base):
    """The outcome of one CSV row: its status, errors in plain sentences, and the device it made or found."""

    __tablename__ = "device_upload_row"
    __table_args__ = (CheckConstraint("status IN ('success', 'success_with_errors', 'failed')", name="status"),)

    upload_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device_upload.id", ondelete="CASCADE"), primary_key=True)
    row_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    note: Mapped[str | None] = mapped_column(String(300))
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("device.id", ondelete="SET NULL"))
