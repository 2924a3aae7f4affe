"""Organizations, users, invitations, API keys and single-use email tokens."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dapp.db import Base


class OrganizationType(StrEnum):
    DEVELOPER = "developer"
    BUYER = "buyer"


class TokenPurpose(StrEnum):
    CONFIRM_EMAIL = "confirm_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a token purpose, not a password


class Organization(Base):
    """An organization; its `blockchain_address` is the platform-managed account (key encrypted at rest), and a
    buyer may bind a wallet of its own (`bound_wallet_address`, R-CHAIN-4) that then receives its certificates."""

    __tablename__ = "organization"
    __table_args__ = (
        Index("uq_organization_name_lower", text("lower(name)"), unique=True),
        Index("uq_organization_bound_wallet_lower", text("lower(bound_wallet_address)"), unique=True),
        CheckConstraint("type IN ('developer', 'buyer')", name="type"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(500))
    blockchain_address: Mapped[str | None] = mapped_column(String(42))
    encrypted_private_key: Mapped[bytes | None]
    bound_wallet_address: Mapped[str | None] = mapped_column(String(42))  # checksum form; proven by a signature
    wallet_bound_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    disabled_at: Mapped[datetime | None]  # set by a platform admin: nobody of it can authenticate

    users: Mapped[list["User"]] = relationship(back_populates="organization")

    @property
    def certificate_address(self) -> str | None:
        """Where the organization's new reservations send certificates by default: its bound wallet, if any,
        otherwise its platform-managed account."""
        return self.bound_wallet_address or self.blockchain_address

    @property
    def holding_addresses(self) -> list[str]:
        """Lower-case addresses whose indexed balances are the organization's holdings."""
        return [a.lower() for a in (self.blockchain_address, self.bound_wallet_address) if a]


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (Index("uq_user_account_email_lower", text("lower(email)"), unique=True),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organization.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_org_admin: Mapped[bool] = mapped_column(default=False)
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    is_disabled: Mapped[bool] = mapped_column(default=False)
    permissions: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)
    email_confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    anonymised_at: Mapped[datetime | None]  # GDPR deletion: name and email replaced, sign-in impossible

    organization: Mapped[Organization | None] = relationship(back_populates="users")


API_KEY_PREFIX = "drec"


class ApiKey(Base):
    """A machine credential `drec_<prefix>_<secret>`; only the SHA-256 of the whole key is stored."""

    __tablename__ = "api_key"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    permissions: Mapped[dict[str, int]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class EmailToken(Base):
    """A single-use, expiring token sent by email; only its SHA-256 is stored."""

    __tablename__ = "email_token"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(30))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    REVOKED = "revoked"
    EXPIRED = "expired"  # stored when a newer invitation replaces an expired pending one


class Invitation(Base):
    """An invitation to join an organization with given permissions; the account exists only once accepted."""

    __tablename__ = "invitation"
    __table_args__ = (
        Index(
            "uq_invitation_pending_email",
            "organization_id",
            text("lower(email)"),
            unique=True,
            postgresql_where=text("status = 'pending'"),
        ),
        CheckConstraint("status IN ('pending', 'accepted', 'rejected', 'revoked', 'expired')", name="status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    permissions: Mapped[dict[str, int]] = mapped_column(JSONB)
    invited_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    invited_by_api_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_key.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=InvitationStatus.PENDING.value)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))

    def effective_status(self, now: datetime) -> str:
        """The status a person sees: a pending invitation past its expiry is expired."""
        if self.status == InvitationStatus.PENDING and self.expires_at <= now:
            return InvitationStatus.EXPIRED.value
        return self.status


class WalletChallenge(Base):
    """A single-use message an organization admin asks for, to be signed by the wallet to bind (R-CHAIN-4).

    The message names the wallet, the organization, the chain and a random nonce; it expires after minutes.
    """

    __tablename__ = "wallet_challenge"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    address: Mapped[str] = mapped_column(String(42))  # checksum form
    chain_id: Mapped[int] = mapped_column(BigInteger)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    message: Mapped[str] = mapped_column(Text)  # the EIP-191 text, exactly as shown to the wallet
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class UserSession(Base):
    """A signed-in browser session (R-ACC-3). The cookie carries only a random token; only its SHA-256 is stored.

    A session ends (`ended_at`, with why) at sign-out, "sign out everywhere", a password change or reset, the
    account's or organization's disabling and anonymisation, or after being idle too long; an ended session
    never comes back, whatever copy of the cookie is presented.
    """

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user_active", "user_id", postgresql_where=text("ended_at IS NULL")),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    address: Mapped[str] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(300))
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(30))
