"""Request and response models of platform administration."""

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from dapp.accounts.schemas import Name
from dapp.web.paging import PageQuery


class SearchQuery(BaseModel):
    """`?q=`: words that each must appear in a row's searched columns."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(default="", max_length=200, description="Words to search for; every word must match.")


class AdminListQuery(PageQuery, SearchQuery):
    """A page of one platform-wide list, searched by `?q=`."""


class OutboxQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str | None = Field(default=None, max_length=20, description="pending, sent, done or failed")


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


class QueueRead(BaseModel):
    name: str
    queued: int
    running: int
    failed: int
    scheduled: int
    deferred: int


class JobRead(BaseModel):
    id: str
    queue: str
    name: str = Field(description="The job's name, e.g. issuance.certify_window")
    state: str = Field(description="running, failed or queued (after a retry)")
    enqueued_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    traceback: str | None = Field(description="Why a failed job failed (its last run's exception).")


class JobsRead(BaseModel):
    queues: list[QueueRead]
    running: list[JobRead]
    failed: list[JobRead]


class WebhookFailureRead(BaseModel):
    delivery_id: int
    status: str = Field(description="failed (gave up) or pending (retrying after a failed try)")
    attempts: int
    event_kind: str
    last_status_code: int | None
    last_response_ms: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    endpoint_id: uuid.UUID
    url: str
    endpoint_disabled_at: datetime | None
    organization_id: uuid.UUID
    organization_name: str


class AdminDeviceRead(BaseModel):
    id: uuid.UUID
    external_id: str
    organization_id: uuid.UUID
    organization_name: str
    project_name: str | None
    country_code: str
    capacity_kw: Decimal
    onboarded_at: datetime


class AdminReservationRead(BaseModel):
    id: uuid.UUID
    name: str
    buyer_organization_id: uuid.UUID
    organization_name: str
    period_start: datetime
    period_end: datetime
    frequency: str
    ended_at: datetime | None


class AdminCertificateRead(BaseModel):
    id: uuid.UUID
    token_id: str
    beneficiary_organization_id: uuid.UUID
    organization_name: str
    volume_wh: int
    country_code: str
    window_start: datetime
    window_end: datetime
    status: str


class AdminDevicePage(BaseModel):
    items: list[AdminDeviceRead]
    page: int
    size: int
    total: int


class AdminReservationPage(BaseModel):
    items: list[AdminReservationRead]
    page: int
    size: int
    total: int


class AdminCertificatePage(BaseModel):
    items: list[AdminCertificateRead]
    page: int
    size: int
    total: int
