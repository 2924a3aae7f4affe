"""I-REC conversion (R-IREC): device groups and their registration at the registry; provisional certificates,
their parts per group, the whole-MWh issue requests and which Wh of which part each request converts.

A device belongs to at most one group (`irec_group_member.device_id` is its key); every member of a group has the
group's organization, country and fuel, which is what the registry registers. A group's registration status is
not_registered → submitted → approved or rejected (with the registry's reason); `registration_round` counts the
submissions, so each has its own client key at the registry.
"""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
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


class ConversionStatus(StrEnum):
    """Where a provisional certificate stands on its way to I-REC (R-IREC-1)."""

    PROVISIONAL = "provisional"  # minted to the provisional account; its energy not (all) in an issue request yet
    REQUESTED = "requested"  # all its energy is in issue requests; waiting for the registry
    REJECTED = "rejected"  # an issue request holding its energy was rejected: an admin decides
    ISSUED = "issued"  # serials assigned, metadata version 2 stored; the on-chain confirmation is in the outbox
    RELEASED = "released"  # an admin released it whole as plain D-REC (ADR 0110): it never becomes an I-REC


class IssueRequestStatus(StrEnum):
    QUEUED = "queued"  # made by the platform, not yet accepted by the registry
    REQUESTED = "requested"  # the registry has it (registry_id); its decision pending
    APPROVED = "approved"
    REJECTED = "rejected"
    SERIAL_CONFLICT = "serial_conflict"  # approved with serials that overlap an earlier range: refused, flagged
    WITHDRAWN = "withdrawn"  # rejected, then a certificate of it was released as D-REC: its Wh left it (ADR 0110)


class IrecCertificate(Base):
    """A certificate of an I-REC reservation on its way to I-REC; its serials once issued."""

    __tablename__ = "irec_certificate"
    __table_args__ = (
        CheckConstraint("status IN ('provisional', 'requested', 'rejected', 'issued', 'released')", name="status"),
    )

    certificate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certificate.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    serial_start: Mapped[str | None] = mapped_column(Text)
    serial_end: Mapped[str | None] = mapped_column(Text)
    serial_ranges: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    metadata_cid: Mapped[str | None] = mapped_column(String(100))  # the metadata document's version 2
    confirm_tx_hash: Mapped[str | None] = mapped_column(String(66))
    released_wh: Mapped[int | None] = mapped_column(BigInteger)  # what an admin released as D-REC (ADR 0110)
    released_at: Mapped[datetime | None]
    release_tx_hash: Mapped[str | None] = mapped_column(String(66))
    collected_at: Mapped[datetime]
    issued_at: Mapped[datetime | None]


class IrecPart(Base):
    """The Wh of one certificate that came from one device group: what that group's issue requests convert."""

    __tablename__ = "irec_part"
    __table_args__ = (
        UniqueConstraint("certificate_id", "group_id", name="uq_irec_part_certificate_group"),
        CheckConstraint("energy_wh > 0", name="energy_positive"),
        CheckConstraint("released_wh >= 0 AND released_wh <= energy_wh", name="released_within_part"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    certificate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certificate.id"), index=True)
    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("irec_device_group.id"), index=True)
    energy_wh: Mapped[int] = mapped_column(BigInteger)
    released_wh: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # never to be requested
    position: Mapped[datetime]  # the certificate's generation start: parts are requested in this order


class IrecIssueRequest(Base):
    """A whole-MWh issue request of one device group (R-IREC-2). Serial ranges never overlap (a database fact)."""

    __tablename__ = "irec_issue_request"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'requested', 'approved', 'rejected', 'serial_conflict', 'withdrawn')", name="status"
        ),
        CheckConstraint("volume_mwh >= 1", name="volume_whole_mwh"),
        ExcludeConstraint(
            (text("int8range(serial_first, serial_last, '[]')"), "&&"),
            name="serials_unique",
            using="gist",
            where=text("status = 'approved'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("irec_device_group.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)  # a retried request gets a new client key
    volume_mwh: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=IssueRequestStatus.QUEUED)
    reason: Mapped[str | None] = mapped_column(Text)
    registry_id: Mapped[str | None] = mapped_column(String(100))
    approved_mwh: Mapped[int | None]
    serial_first: Mapped[int | None] = mapped_column(BigInteger)
    serial_last: Mapped[int | None] = mapped_column(BigInteger)
    serial_start: Mapped[str | None] = mapped_column(Text)
    serial_end: Mapped[str | None] = mapped_column(Text)
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    created_at: Mapped[datetime]
    requested_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]


class IrecAllocation(Base):
    """Wh of a part converted by a request; `offset_wh` is where they start in the request's stream of Wh."""

    __tablename__ = "irec_allocation"
    __table_args__ = (CheckConstraint("energy_wh > 0", name="energy_positive"),)

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("irec_issue_request.id", ondelete="CASCADE"), primary_key=True
    )
    part_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("irec_part.id"), primary_key=True, index=True)
    offset_wh: Mapped[int] = mapped_column(BigInteger)
    energy_wh: Mapped[int] = mapped_column(BigInteger)


class RedemptionStatus(StrEnum):
    REQUESTED = "requested"  # the buyer asked; the registry job redeems it, then the token is burned
    REDEEMED = "redeemed"  # the registry redeemed its serials; the burn (a claim) is in the chain outbox
    FAILED = "failed"  # the registry refused: nothing redeemed, nothing burned


class IrecRedemption(Base):
    """A certificate redeemed as I-REC (R-IREC-3): at most one per certificate, and never with a D-REC claim."""

    __tablename__ = "irec_redemption"
    __table_args__ = (CheckConstraint("status IN ('requested', 'redeemed', 'failed')", name="status"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    certificate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certificate.id"), unique=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    requested_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    beneficiary: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200))
    country_code: Mapped[str] = mapped_column(String(3))
    consumption_start: Mapped[date]
    consumption_end: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=RedemptionStatus.REQUESTED)
    reason: Mapped[str | None] = mapped_column(Text)
    statements: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)  # the registry's, one per range
    claim_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("claim.id"))
    created_at: Mapped[datetime]
    redeemed_at: Mapped[datetime | None]
