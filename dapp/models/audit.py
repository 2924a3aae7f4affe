"""Audit entries: who did what to which subject, when, with a before/after summary."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dapp.db import Base


class AuditEntry(Base):
    """One recorded action. Append-only: nothing updates or deletes these rows."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_organization_at", "organization_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # The organization whose log shows the entry; None for platform-level events without one.
    organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organization.id"))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    actor_api_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_key.id"))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(100))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    at: Mapped[datetime]
