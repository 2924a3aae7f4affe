"""Request and response models of certificates."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from dapp.reads.units import MAX_WH
from dapp.web.paging import MAX_PAGE


class StandardState(StrEnum):
    """Which system a certificate stands in (R-ISS-7, R-IREC-1, R-IREC-3)."""

    DREC = "drec"  # a D-REC reservation's certificate
    IREC_PENDING = "irec_pending"  # held provisionally until the I-REC registry issues it
    IREC_REJECTED = "irec_rejected"  # its issue request was rejected: still provisional, an admin decides
    IREC_ISSUED = "irec_issued"  # serials on chain, tokens at the buyer: redeem as I-REC or keep as D-REC
    IREC_REDEEMED = "irec_redeemed"  # redeemed (or being redeemed) as I-REC: burned with the registry's reference
    DREC_RELEASED = "drec_released"  # released whole by an admin as a plain D-REC at the buyer (ADR 0110)


class CertificateFilter(BaseModel):
    """Filters of certificate lists (R-ISS-7, R-READ-12); dates are generation dates, inclusive."""

    model_config = ConfigDict(extra="forbid")

    country: str | None = Field(default=None, min_length=3, max_length=3)
    off_taker: str | None = Field(default=None, max_length=100)
    sdg: list[Annotated[str, StringConstraints(max_length=20)]] = Field(
        default_factory=list, max_length=20, description="Devices with any of these SDG benefits."
    )
    date_from: date | None = None
    date_to: date | None = None
    standard_state: StandardState | None = Field(default=None, description="D-REC or where it stands as I-REC.")
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    size: int = Field(default=50, ge=1, le=200)

    @model_validator(mode="before")
    @classmethod
    def empty_is_any(cls, data: Any) -> Any:
        """A filter left empty in the page's form (`country=`) means any, as if it were not sent."""
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value not in ("", [""])}
        return data


class ExplanationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device_id: uuid.UUID | None = Field(default=None, description="Add this device's reads and their splits.")


class ContributionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    device_id: uuid.UUID
    external_id: str | None = None
    timezone: str | None = Field(default=None, description="The device's IANA time zone.")
    period_start: datetime
    period_end: datetime
    energy_wh: int


class IrecStateRead(BaseModel):
    """A certificate's standard and, for an I-REC reservation's, where its conversion stands."""

    state: StandardState
    serial_start: str | None = Field(default=None, description="The first I-REC serial, once issued.")
    serial_end: str | None = Field(default=None, description="The last I-REC serial, once issued.")
    reason: str | None = Field(default=None, description="The registry's reason of a rejected issue request.")
    redemption_id: uuid.UUID | None = Field(default=None, description="Its redemption as I-REC, if any.")
    redemption_status: str | None = Field(default=None, description="requested, redeemed or failed.")


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
    owned_wh: int | None = Field(
        default=None, description="What the organization's accounts hold now, from indexed transfers (buyers)."
    )
    claimed_wh: int | None = Field(
        default=None, description="What the organization's accounts claimed of it, from indexed claims (buyers)."
    )
    standard: IrecStateRead | None = Field(default=None, description="D-REC, or its I-REC state (buyers).")
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

    volume_wh: int = Field(gt=0, le=MAX_WH)
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
    status: str = Field(description="pending, sent (mined, not indexed yet), claimed (indexed) or failed.")
    failure: str | None
    tx_hash: str | None
    created_at: datetime
    sent_at: datetime | None
    claimed_at: datetime | None = Field(default=None, description="The block time of the indexed claim.")


EthereumAddress = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=42, pattern=r"^0x[0-9a-fA-F]{40}$")
]


class TransferCreate(BaseModel):
    """Send part of a certificate from the organization's managed account to an address or an organization."""

    model_config = ConfigDict(extra="forbid")

    volume_wh: int = Field(gt=0, le=MAX_WH)
    to_address: EthereumAddress | None = None
    to_organization: str | None = Field(
        default=None, min_length=1, max_length=200, description="An organization of the platform, by its name."
    )

    @model_validator(mode="after")
    def one_recipient(self) -> "TransferCreate":
        if (self.to_address is None) == (self.to_organization is None):
            raise ValueError("give either to_address or to_organization")
        return self


class TransferRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    certificate_id: uuid.UUID
    volume_wh: int
    holder_address: str
    to_address: str
    recipient_organization: str | None = Field(default=None, description="The receiving organization's name.")
    status: str = Field(description="pending, sent (mined, not indexed yet), transferred (indexed) or failed.")
    failure: str | None
    tx_hash: str | None
    created_at: datetime
    sent_at: datetime | None
