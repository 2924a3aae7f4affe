"""Request and response models of platform administration."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from dapp.accounts.schemas import Name


class PlatformAdminCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    first_name: Name
    last_name: Name
    password: str = Field(repr=False, max_length=1000)


class OrganizationSummary(BaseModel):
    id: uuid.UUID
    name: str
    type: str
    address: str
    created_at: datetime
    disabled_at: datetime | None
    members: int


class UserSummary(BaseModel):
    id: uuid.UUID
    first_name: str
    last_name: str
    email: str
    organization_id: uuid.UUID | None
    organization_name: str | None
    is_org_admin: bool
    is_platform_admin: bool
    is_disabled: bool
    email_confirmed_at: datetime | None
    anonymised_at: datetime | None


class OutboxSubject(BaseModel):
    """What an outbox entry is about: a certificate (mint), a claim, a transfer, or a reservation (log entry)."""

    type: str = Field(description="certificate, claim, transfer or reservation")
    id: uuid.UUID
    label: str
    certificate_id: uuid.UUID | None = None
    token_id: str | None = None
    reservation_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = Field(default=None, description="The buyer organization it belongs to.")
    organization_name: str | None = None


class OutboxEntryRead(BaseModel):
    id: int
    kind: str
    status: str = Field(description="pending (backing off after a failed try), sent (in flight) or failed")
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    tx_hash: str | None = Field(description="The transaction in flight, for sent entries.")
    created_at: datetime
    subject: OutboxSubject | None
