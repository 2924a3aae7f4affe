"""In-app notifications of an organization; each is also emailed to the organization's members."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from dapp.db import Base


class NotificationKind:
    DEVICES_RESERVED = "devices_reserved"
    DEVICES_RELEASED = "devices_released"
    ENERGY_CERTIFIED = "energy_certified"  # to developers: their devices' energy went into certificates
    CERTIFICATES_ARRIVED = "certificates_arrived"  # to the buyer: its reservation's certificates were issued
    WEBHOOK_DISABLED = "webhook_disabled"


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_org_created", "organization_id", "created_at"),
        Index("ix_notification_unsent", "created_at", postgresql_where=text("emailed_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))  # a path on this platform: the page the notice announces
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
