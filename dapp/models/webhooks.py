"""Domain events (an outbox every feature writes to) and the webhooks that carry them to organizations (R-API-2).

A use case records an `Event` in its own transaction (`dapp.events.emit`); the webhooks feature fans each event
out to the organization's subscribed endpoints as `WebhookDelivery` rows, and a worker sends them, logging every
try as a `WebhookAttempt`.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dapp.db import Base

# Every kind of event an endpoint may subscribe to, with what it means. Adding a kind is one line here and one
# `events.emit` where it happens.
EVENT_KINDS: dict[str, str] = {
    "bulk_upload.finished": "A bulk device upload finished; its counts of created, partial and failed rows.",
    "reads.rejected": "Reads of a batch were rejected; each with its device, interval and reason.",
    "reads.flagged": "Reads of a batch were stored but flagged for review (implausible energy).",
    "reservation.created": "A reservation of the organization was created.",
    "reservation.changed": "Devices were added to or removed from a reservation.",
    "reservation.ended": "A reservation ended (by the buyer, at its end date, or on reaching its target).",
    "certificate.minted": "A certificate of the organization was minted (its issuance event is indexed).",
    "certificate.claimed": "A claim (retirement) of the organization's certificate was recorded on chain.",
    "certificate.transferred": "A transfer of the organization's certificate was recorded on chain.",
    "irec.group_approved": "The I-REC registry approved the registration of one of the organization's device groups.",
    "irec.group_rejected": "The I-REC registry rejected the registration of a device group; with its reason.",
    "irec.request_approved": "The I-REC registry approved an issue request holding the buyer's certificates.",
    "irec.request_rejected": "The I-REC registry rejected an issue request holding the buyer's certificates.",
    "irec.serials_confirmed": "A certificate's I-REC serials were written on chain; its tokens moved to the buyer.",
    "irec.redemption_completed": "A certificate was redeemed as I-REC at the registry; its token is being burned.",
    "irec.redemption_failed": "The I-REC registry refused a redemption; nothing was redeemed nor burned.",
}
TEST_EVENT = "webhook.test"  # sent by "send test event" to one endpoint; never subscribed to


class Event(Base):
    """Something that happened to an organization, written in the transaction that made it happen."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_unfanned", "id", postgresql_where=text("fanned_out_at IS NULL")),
        Index("ix_event_org_occurred", "organization_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"))
    kind: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    occurred_at: Mapped[datetime]
    fanned_out_at: Mapped[datetime | None]


class WebhookEndpoint(Base):
    """A URL an organization receives events at; its secret signs every delivery (stored encrypted)."""

    __tablename__ = "webhook_endpoint"
    __table_args__ = (Index("ix_webhook_endpoint_org", "organization_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"))
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(ARRAY(String(60)))
    encrypted_secret: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(500))


class DeliveryStatus:
    PENDING = "pending"  # waiting for its first try, or for `next_attempt_at` after a failed one
    SUCCEEDED = "succeeded"  # the receiver answered 2xx
    FAILED = "failed"  # every try failed; the endpoint was disabled with a notice


class WebhookDelivery(Base):
    """One event on its way to one endpoint."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        Index("ix_webhook_delivery_endpoint", "endpoint_id", "id"),
        Index("ix_webhook_delivery_failed", "id", postgresql_where=text("status = 'failed'")),
        CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_status_code: Mapped[int | None]
    last_response_ms: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class WebhookAttempt(Base):
    """One try of a delivery: when, the receiver's status (none if it never answered), how long, what failed."""

    __tablename__ = "webhook_attempt"
    __table_args__ = (Index("ix_webhook_attempt_delivery", "delivery_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_delivery.id", ondelete="CASCADE"))
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None]
    response_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(Text)
