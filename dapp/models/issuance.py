"""Certificates, their per-device contributions, and the certified-energy guard (R-ISS-3, R-ISS-5)."""

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Identity, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dapp.db import Base


class CertificateStatus:
    PENDING = "pending"
    MINTED = "minted"


class Certificate(Base):
    """One certificate per (reservation, window, country); volume in exact Wh.

    Late energy of a window already certified (R-READ-9) gets a certificate of a later `issuance_round`.
    """

    __tablename__ = "certificate"
    __table_args__ = (
        UniqueConstraint(
            "reservation_id", "window_start", "country_code", "issuance_round", name="uq_certificate_window"
        ),
        CheckConstraint("issuance_round >= 0", name="issuance_round"),
        CheckConstraint("volume_wh > 0", name="volume_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    reservation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reservation.id"), index=True)
    beneficiary_organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    issuance_round: Mapped[int] = mapped_column(default=0, server_default="0")
    country_code: Mapped[str] = mapped_column(String(3))
    volume_wh: Mapped[int] = mapped_column(BigInteger)
    generation_start: Mapped[datetime]
    generation_end: Mapped[datetime]
    owner_address: Mapped[str] = mapped_column(String(42))
    certificate_key: Mapped[str] = mapped_column(String(66), unique=True)
    token_id: Mapped[str] = mapped_column(String(78), unique=True)
    contributions_root: Mapped[str] = mapped_column(String(66))
    rule_versions: Mapped[list[str]] = mapped_column(JSONB)
    metadata_cid: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20), default=CertificateStatus.PENDING)
    mint_tx_hash: Mapped[str | None] = mapped_column(String(66))
    created_at: Mapped[datetime]

    contributions: Mapped[list["CertificateContribution"]] = relationship(
        back_populates="certificate", order_by="CertificateContribution.device_id"
    )


class CertificateContribution(Base):
    """What one device contributed to a certificate."""

    __tablename__ = "certificate_contribution"

    certificate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certificate.id"), primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"), primary_key=True)
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    energy_wh: Mapped[int] = mapped_column(BigInteger)

    certificate: Mapped[Certificate] = relationship(back_populates="contributions")


class CertifiedEnergy(Base):
    """A device's time range `[period_start, period_end)` whose energy a certificate certified.

    The exclusion constraint makes double counting impossible: no instant of a device's production is certified
    twice, whatever reservation or path tries. `excess_wh` is energy of the range left uncertified because the
    reservation reached its target (R-RES-6); it stays visible in the device's ledger.
    """

    __tablename__ = "certified_energy"
    __table_args__ = (
        CheckConstraint("period_start < period_end", name="period_order"),
        CheckConstraint("energy_wh >= 0", name="energy_non_negative"),
        CheckConstraint("excess_wh >= 0", name="excess_non_negative"),
        ExcludeConstraint(
            ("device_id", "="),
            (text("tstzrange(period_start, period_end)"), "&&"),
            name="ex_certified_energy_once",
            using="gist",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    certificate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certificate.id"), index=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"))
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    energy_wh: Mapped[int] = mapped_column(BigInteger)
    excess_wh: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class HeldStatus:
    """Where a custodial operation (claim, transfer) stands in the platform; what the UI shows as done comes from
    the indexed events of its transaction (R-IDX-1), not from this column."""

    PENDING = "pending"  # waiting for the chain worker
    SENT = "sent"  # mined; the indexer has or will record its events
    FAILED = "failed"  # the chain refused it


class HeldOperation:
    """Columns shared by operations signed with an organization's platform-managed account (custodial)."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    certificate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certificate.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    holder_address: Mapped[str] = mapped_column(String(42))  # the managed account that signs
    volume_wh: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default=HeldStatus.PENDING)
    failure: Mapped[str | None] = mapped_column(String(500))
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


HELD_STATUS_CHECK = "status IN ('pending', 'sent', 'failed')"


class Claim(HeldOperation, Base):
    """A claim (retirement) of part of a certificate for a beneficiary, recorded on chain (R-ISS-9)."""

    __tablename__ = "claim"
    __table_args__ = (
        CheckConstraint("volume_wh > 0", name="volume_positive"),
        CheckConstraint("consumption_start <= consumption_end", name="period_order"),
        CheckConstraint(HELD_STATUS_CHECK, name="status"),
    )

    beneficiary: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200))
    country_code: Mapped[str] = mapped_column(String(3))
    consumption_start: Mapped[date]
    consumption_end: Mapped[date]
    purpose: Mapped[str] = mapped_column(String(500))


class CertificateTransfer(HeldOperation, Base):
    """A transfer of part of a certificate from an organization's managed account to another address (R-ISS-10)."""

    __tablename__ = "certificate_transfer"
    __table_args__ = (
        CheckConstraint("volume_wh > 0", name="volume_positive"),
        CheckConstraint(HELD_STATUS_CHECK, name="status"),
    )

    to_address: Mapped[str] = mapped_column(String(42))  # checksum form
    recipient_organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organization.id"))
