"""Request and response models of I-REC conversion."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from dapp.irec.service.groups import GroupView


class GroupDeviceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    external_id: str
    device_type_code: str
    capacity_kw: float


class DeviceGroupRead(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    country_code: str
    fuel_code: str
    is_automatic: bool
    registration_status: str = Field(description="not_registered, submitted, approved or rejected")
    registration_reason: str | None = Field(description="The registry's reason for a rejection.")
    registry_id: str | None
    submitted_at: datetime | None
    decided_at: datetime | None
    devices: list[GroupDeviceRead]

    @classmethod
    def of(cls, view: GroupView) -> "DeviceGroupRead":
        g = view.group
        return cls(
            id=g.id, organization_id=g.organization_id, name=g.name, country_code=g.country_code,
            fuel_code=g.fuel_code, is_automatic=g.is_automatic, registration_status=g.registration_status,
            registration_reason=g.registration_reason, registry_id=g.registry_id, submitted_at=g.submitted_at,
            decided_at=g.decided_at, devices=[GroupDeviceRead.model_validate(d) for d in view.devices],
        )  # fmt: skip


class DeviceGroupList(BaseModel):
    items: list[DeviceGroupRead]


class Regroup(BaseModel):
    """Move devices into a named group of one country and fuel (made if new)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    device_ids: list[uuid.UUID] = Field(min_length=1, max_length=10_000)


class GroupConversionRead(BaseModel):
    group_id: uuid.UUID
    name: str
    country_code: str
    minted_wh: int = Field(description="Provisional Wh of the reservation's certificates from this group.")
    requested_wh: int = Field(description="Of which in issue requests (whole MWh with the group's other Wh).")
    approved_wh: int = Field(description="Of which the registry issued as I-RECs.")
    released_wh: int = Field(description="Of which a platform admin released as plain D-RECs (never I-RECs).")
    carried_wh: int = Field(description="Of which not requested yet: carried to the group's next whole-MWh request.")


class CertificateConversionRead(BaseModel):
    certificate_id: uuid.UUID
    token_id: str
    volume_wh: int
    generation_start: datetime
    generation_end: datetime
    status: str = Field(
        description="pending (not minted yet), provisional, requested, rejected, issued, or released (as D-REC)"
    )
    serial_start: str | None
    serial_end: str | None
    serial_ranges: list[dict[str, Any]]
    metadata_cid: str | None = Field(description="The metadata document's version 2, with the serials.")
    confirm_tx_hash: str | None
    released_wh: int | None = Field(
        description="Wh a platform admin released to the buyer as plain D-RECs: the whole certificate when its "
        "status is released, else the part no approved request holds."
    )
    release_tx_hash: str | None


class ProvisionalCertificateRead(CertificateConversionRead):
    """A certificate of an I-REC reservation awaiting a decision or released, as the platform admin sees it."""

    organization_name: str
    reservation_id: uuid.UUID


class ProvisionalCertificateList(BaseModel):
    items: list[ProvisionalCertificateRead]


class ReservationConversionRead(BaseModel):
    reservation_id: uuid.UUID
    groups: list[GroupConversionRead]
    certificates: list[CertificateConversionRead]
    final_remainder: str | None = Field(
        description="Once the reservation has ended: what happens to Wh still carried (under 1 MWh per group)."
    )


class IssueRequestRead(BaseModel):
    id: uuid.UUID
    group_id: uuid.UUID
    group_name: str
    round: int
    volume_mwh: int
    approved_mwh: int | None
    status: str = Field(
        description="queued, requested, approved, rejected, serial_conflict, or withdrawn (rejected, then a "
        "certificate of it was released as D-REC: its Wh left the request)"
    )
    reason: str | None
    registry_id: str | None
    serial_start: str | None
    serial_end: str | None
    period_start: datetime
    period_end: datetime
    created_at: datetime
    decided_at: datetime | None


class IssueRequestList(BaseModel):
    items: list[IssueRequestRead]


class RedemptionCreate(BaseModel):
    """Redeem a certificate as I-REC for a beneficiary, location, country and consumption period."""

    model_config = ConfigDict(extra="forbid")

    beneficiary: str = Field(min_length=1, max_length=200)
    location: str = Field(min_length=1, max_length=200)
    country_code: str = Field(min_length=3, max_length=3)
    consumption_start: date
    consumption_end: date


class RedemptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    certificate_id: uuid.UUID
    status: str = Field(description="requested, redeemed or failed")
    reason: str | None
    beneficiary: str
    location: str
    country_code: str
    consumption_start: date
    consumption_end: date
    statements: list[dict[str, Any]] = Field(description="The registry's statements: reference, serials, account.")
    claim_id: uuid.UUID | None = Field(description="The claim that burns the token with the registry's reference.")
    created_at: datetime
    redeemed_at: datetime | None


class SignedStatementRead(BaseModel):
    """A statement's facts, signed by the registry (EIP-191 over their canonical JSON), so anyone can check them."""

    title: str
    facts: dict[str, Any]
    signer: str
    signature: str


class RedemptionStatementRead(RedemptionRead):
    """A redemption and, once the registry redeemed it, its signed I-REC redemption statement."""

    token_id: str
    statement: SignedStatementRead | None = Field(description="Signed once the registry redeemed the serials.")
