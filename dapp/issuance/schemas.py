"""Request and response models of certificates."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class CertificateFilter(BaseModel):
    """Filters of certificate lists (R-ISS-7, R-READ-12); dates are generation dates, inclusive."""

    model_config = ConfigDict(extra="forbid")

    country: str | None = Field(default=None, min_length=3, max_length=3)
    off_taker: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = Field(default=1, ge=1)
    size: int = Field(default=50, ge=1, le=200)


class ContributionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    device_id: uuid.UUID
    external_id: str | None = None
    period_start: datetime
    period_end: datetime
    energy_wh: int


class CertificateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    reservation_id: uuid.UUID
    window_start: datetime
    window_end: datetime
    country_code: str
    volume_wh: int
    generation_start: datetime
    generation_end: datetime
    owner_address: str
    token_id: str
    certificate_key: str
    contributions_root: str
    metadata_cid: str | None
    status: str
    mint_tx_hash: str | None
    contributions: list[ContributionRead]


class CertificatePage(BaseModel):
    items: list[CertificateRead]
    page: int
    size: int
    total: int


class PartRead(BaseModel):
    read_id: int
    read_start: datetime
    read_end: datetime
    read_wh: int
    part_start: datetime
    part_end: datetime
    energy_wh: int


class DeviceExplanation(BaseModel):
    device_id: uuid.UUID
    external_id: str
    certified_wh: int
    excess_wh: int
    ranges: list[tuple[datetime, datetime]]
    parts: list[PartRead] | None = None


class Explanation(BaseModel):
    """How a certificate was computed (R-ISS-11)."""

    certificate: CertificateRead
    frequency: str
    timezone: str
    rule_versions: list[str]
    split_rule: str
    target_wh: int | None
    authority_to_exceed: bool
    devices: list[DeviceExplanation]


class ClaimCreate(BaseModel):
    """A claim of part of a certificate for a beneficiary, location, country, consumption period and purpose."""

    model_config = ConfigDict(extra="forbid")

    volume_wh: int = Field(gt=0)
    beneficiary: str = Field(min_length=1, max_length=200)
    location: str = Field(min_length=1, max_length=200)
    country_code: str = Field(min_length=3, max_length=3)
    consumption_start: date
    consumption_end: date
    purpose: str = Field(min_length=1, max_length=500)


class ClaimRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    certificate_id: uuid.UUID
    volume_wh: int
    beneficiary: str
    location: str
    country_code: str
    consumption_start: date
    consumption_end: date
    purpose: str
    status: str
    failure: str | None
    tx_hash: str | None
    created_at: datetime
    claimed_at: datetime | None
