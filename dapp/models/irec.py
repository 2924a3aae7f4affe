"""I-REC conversion (R-IREC): device groups and their registration at the registry.

A device belongs to at most one group (`irec_group_member.device_id` is its key); every member of a group has the
group's organization, country and fuel, which is what the registry registers. A group's registration status is
not_registered → submitted → approved or rejected (with the registry's reason); `registration_round` counts the
submissions, so each has its own client key at the registry.
"""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from dapp.db import Base


class RegistrationStatus(StrEnum):
    NOT_REGISTERED = "not_registered"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class IrecDeviceGroup(Base):
    __tablename__ = "irec_device_group"
    __table_args__ = (
        # One automatic group per (organization, country, fuel, device type): the default grouping (R-IREC-0).
        Index(
            "uq_irec_device_group_automatic",
            "organization_id",
            "country_code",
            "fuel_code",
            "device_type_code",
            unique=True,
            postgresql_where=text("is_automatic"),
        ),
        Index("uq_irec_device_group_org_name", "organization_id", text("lower(name)"), unique=True),
        CheckConstraint(
            "registration_status IN ('not_registered', 'submitted', 'approved', 'rejected')",
            name="registration_status",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    country_code: Mapped[str] = mapped_column(String(3))
    fuel_code: Mapped[str] = mapped_column(String(10))
    device_type_code: Mapped[str | None] = mapped_column(String(10))  # the automatic group's; None when regrouped
    is_automatic: Mapped[bool]
    registration_status: Mapped[str] = mapped_column(String(20), default=RegistrationStatus.NOT_REGISTERED)
    registration_reason: Mapped[str | None] = mapped_column(Text)
    registration_round: Mapped[int] = mapped_column(default=0)
    registry_id: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class IrecGroupMember(Base):
    __tablename__ = "irec_group_member"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("irec_device_group.id"), index=True)
