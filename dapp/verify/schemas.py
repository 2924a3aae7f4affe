"""Verification reports, as the API answers them: the standalone verifier's report plus the reference asked."""

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from dapp.web.paging import PageQuery


class Check(BaseModel):
    name: str
    passed: bool
    detail: str


class CertificateVerification(BaseModel):
    """What the chain, the metadata document and the platform's record say of a certificate, and whether they
    agree; holders, claims (beneficiary, purpose) and transfers as the chain's events say."""

    reference: str
    verdict: str
    checks: list[Check]
    chain: dict[str, Any]
    metadata: dict[str, Any] | None
    holders: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    transfers: list[dict[str, Any]]


class ReservationVerification(BaseModel):
    """A reservation's log on chain with its device lists, the platform's record compared, and the verdict of
    every certificate of the reservation (window alignment and device membership included)."""

    reference: str
    verdict: str
    checks: list[Check]
    reservation: dict[str, Any] | None
    log: list[dict[str, Any]]
    certificates: list[dict[str, Any]]


class CertificateRecord(BaseModel):
    """What the registry records of a certificate (public register): no personal data."""

    token_id: str
    certificate_id: str
    reservation_id: str
    country_code: str
    status: str
    owner_address: str
    volume_wh: int
    window_start: str
    window_end: str
    generation_start: str
    generation_end: str
    metadata_cid: str
    contributions_root: str
    contributions: list[dict[str, Any]]


class ReservationRecord(BaseModel):
    """What the registry records of a reservation (public register)."""

    reservation_id: str
    wallet_address: str
    period_start: str
    period_end: str
    frequency: str
    timezone: str
    target_wh: int | None
    authority_to_exceed: bool
    standard: str
    ended_at: str | None
    device_ids: list[str]


class RegisterFilter(PageQuery):
    """Filters of the public register (R-REG-1); dates are generation dates, inclusive; and the page."""

    country: str | None = Field(default=None, min_length=3, max_length=3)
    technology: str | None = Field(default=None, max_length=10, description="A fuel code or a device type code.")
    date_from: date | None = None
    date_to: date | None = None
    reservation: uuid.UUID | None = None
    status: Literal["held", "partly_retired", "retired"] | None = None


class RegisterRow(BaseModel):
    """One issued certificate as the public sees it: no personal data, organizations by name only."""

    token_id: str
    country_code: str
    technologies: list[str]
    generation_start: datetime
    generation_end: datetime
    volume_wh: int
    retired_wh: int
    status: str
    reservation_id: str
    beneficiary: str
    developers: list[str]
    verify_url: str


class RegisterPage(BaseModel):
    items: list[RegisterRow]
    page: int
    size: int
    total: int


class RegisterTotal(BaseModel):
    """Issued and retired Wh of one country and vintage (generation year)."""

    country_code: str
    vintage: int
    certificates: int
    issued_wh: int
    retired_wh: int


class RegisterTotals(BaseModel):
    items: list[RegisterTotal]
