"""Request and response models of reservations, the device catalogue and reserved devices."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from dapp.devices.schemas import MAX_CAPACITY_KW, Code
from dapp.models.reservations import Frequency
from dapp.web.paging import MAX_PAGE

DeviceIds = Annotated[list[uuid.UUID], Field(max_length=10_000)]
TargetMwh = Annotated[Decimal, Field(gt=0, le=1_000_000_000, decimal_places=6, description="MWh, exact to the Wh.")]


class Standard(StrEnum):
    DREC = "D-REC"
    IREC = "I-REC"


class ReservationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    target_volume_mwh: TargetMwh | None = Field(default=None, description="Optional with authority to exceed.")
    start: AwareDatetime = Field(description="May be in the past, at most 12 months ago.")
    end: AwareDatetime = Field(description="After the start; if in the past, at most 12 months ago.")
    frequency: Frequency = Field(description="Issuance windows; cannot change after creation.")
    authority_to_exceed: bool = False
    standard: Standard = Standard.DREC
    wallet_address: Annotated[str, StringConstraints(max_length=42, pattern=r"^0x[0-9a-fA-F]{40}$")] | None = Field(
        default=None, description="Where certificates go; default: the buyer's bound wallet, else its managed account."
    )
    timezone: str = Field(default="UTC", max_length=64, description="IANA zone of the issuance windows.")
    device_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=10_000)]
    allow_partial: bool = Field(
        default=False,
        description="Create the reservation without the unavailable devices instead of refusing it.",
    )


class ReservationPatch(BaseModel):
    """Add devices (from now on) or remove them (at the end of the current issuance window)."""

    model_config = ConfigDict(extra="forbid")

    add_device_ids: DeviceIds = []
    remove_device_ids: DeviceIds = []
    frequency: Frequency | None = Field(default=None, description="Cannot change: sending another value is refused.")


class UnavailableDevice(BaseModel):
    device_id: uuid.UUID
    reason: str = Field(description="not_found, reserved, reserved_in_period, cooldown or release_pending.")
    available_at: datetime | None = None


class ReservationSummary(BaseModel):
    """A row of My reservations (R-RES-4)."""

    id: uuid.UUID
    name: str
    status: str = Field(description="upcoming, active or ended.")
    period_start: datetime
    period_end: datetime
    ended_at: datetime | None
    frequency: str
    standard: str
    target_wh: int | None
    issued_wh: int = Field(description="Volume of certificates minted on chain.")
    requested_wh: int = Field(description="Volume of every certificate issued, minted or not yet.")
    issued_percent: Decimal | None = Field(description="Issued volume as a percentage of the target.")
    device_count: int
    countries: list[str]
    off_takers: list[str]
    sdg_benefits: list[str]


class ReservationPage(BaseModel):
    items: list[ReservationSummary]
    page: int
    size: int
    total: int


class ReservationRead(ReservationSummary):
    timezone: str
    authority_to_exceed: bool
    wallet_address: str
    issued_until: datetime
    created_at: datetime
    device_ids: list[uuid.UUID]


class ReservationCreated(ReservationRead):
    unavailable_devices: list[UnavailableDevice] = Field(
        default=[], description="Devices left out because the request allowed partial creation."
    )


class ReservedDeviceRead(BaseModel):
    """A device of a reservation, with its membership."""

    device_id: uuid.UUID
    external_id: str
    project_name: str | None
    onboarded_at: datetime
    country_code: str
    capacity_kw: Decimal
    off_taker: str | None
    device_type_code: str
    commissioning_date: date
    sdg_benefits: list[str]
    active_from: datetime
    active_until: datetime
    removed_at: datetime | None
    released_at: datetime | None
    state: str = Field(description="active, upcoming, leaving (removal pending), removed or released.")


class LogEntryRead(BaseModel):
    """One change of the reservation and where it stands on chain (R-RES-8)."""

    kind: str
    created_at: datetime
    document: dict[str, Any] | None
    devices_cid: str | None
    devices_hash: str | None
    ended_at: datetime | None
    chain_status: str = Field(
        description="waiting, retrying, sending (in flight), failed (an admin may retry), written (mined) or "
        "confirmed (indexed)."
    )
    tx_hash: str | None
    block_number: int | None
    last_error: str | None


class ReservationDetail(ReservationRead):
    devices: list[ReservedDeviceRead]
    log: list[LogEntryRead]


class ReservationEnd(BaseModel):
    id: uuid.UUID
    outcome: Literal["deleted", "ended"]
    ended_at: datetime = Field(description="When issuance stops (the end of the current window when ended).")


class ReservationStatusFilter(StrEnum):
    ALL = "all"
    ACTIVE = "active"
    UPCOMING = "upcoming"
    ENDED = "ended"


class _Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: list[
        Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=3, pattern=r"^[A-Z]{3}$")]
    ] = []
    fuel: list[Code] = []
    off_taker: list[Code] = []
    sdg: list[Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=100)]] = []
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    size: int = Field(default=50, ge=1, le=200)

    @classmethod
    def list_fields(cls) -> set[str]:
        return {name for name, info in cls.model_fields.items() if getattr(info.annotation, "__origin__", None) is list}


class ReservationQuery(_Filters):
    """Filters of My reservations; device filters match reservations with at least one such device."""

    status: ReservationStatusFilter = ReservationStatusFilter.ALL
    date_from: date | None = Field(default=None, description="Reservations still running on or after this day.")
    date_to: date | None = Field(default=None, description="Reservations started on or before this day.")

    @model_validator(mode="after")
    def _range(self) -> "ReservationQuery":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")
        return self


class GroupBy(StrEnum):
    COUNTRY = "country"
    FUEL = "fuel"
    DEVICE_TYPE = "device_type"
    OFF_TAKER = "off_taker"
    CAPACITY = "capacity"
    COMMISSIONING_YEAR = "commissioning_year"


class CatalogueQuery(_Filters):
    """Filters and grouping of the device catalogue (R-RES-2); every filter is optional."""

    device_type: list[Code] = []
    capacity_min: Decimal | None = Field(default=None, ge=0, le=MAX_CAPACITY_KW, description="kW")
    capacity_max: Decimal | None = Field(default=None, ge=0, le=MAX_CAPACITY_KW, description="kW")
    commissioned_from: date | None = None
    commissioned_to: date | None = None
    group_by: list[GroupBy] = []
    start: AwareDatetime | None = Field(default=None, description="Period of the planned reservation.")
    end: AwareDatetime | None = None
    target_volume_mwh: TargetMwh | None = None
    size: int = Field(default=100, ge=1, le=200)

    @model_validator(mode="after")
    def _ranges(self) -> "CatalogueQuery":
        if self.capacity_min is not None and self.capacity_max is not None and self.capacity_min > self.capacity_max:
            raise ValueError("capacity_min must not exceed capacity_max")
        if self.commissioned_from and self.commissioned_to and self.commissioned_from > self.commissioned_to:
            raise ValueError("commissioned_from must not be after commissioned_to")
        if (self.start is None) != (self.end is None) or (self.start and self.end and self.start >= self.end):
            raise ValueError("give both start and end, with start before end")
        return self


class CatalogueDevice(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    external_id: str
    organization_name: str
    project_name: str | None
    country_code: str
    capacity_kw: Decimal
    device_type_code: str
    fuel_code: str
    off_taker: str | None
    device_description: str | None
    sdg_benefits: list[str]
    commissioning_date: date
    expected_annual_wh: int = Field(description="capacity × yield (device override, else the default).")


class EnergyOutlook(BaseModel):
    """Expected energy of some devices, and whether a target is reachable in a period."""

    device_count: int
    organization_count: int
    capacity_kw: Decimal
    expected_annual_wh: int
    expected_period_wh: int | None = Field(description="Expected energy in the period, when a period is given.")
    target_wh: int | None
    reachable: bool | None = Field(description="Expected period energy ≥ target, when both are known.")


class CatalogueGroup(EnergyOutlook):
    key: dict[str, str | None] = Field(description="The grouping attributes and their values.")
    label: str


class CatalogueGroups(BaseModel):
    groups: list[CatalogueGroup]
    total: EnergyOutlook


class EstimateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=10_000)]
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    target_volume_mwh: TargetMwh | None = None


class Estimate(EnergyOutlook):
    unavailable_device_ids: list[uuid.UUID]


class DeviceReservationRead(BaseModel):
    """For developers: one of their devices in a buyer's reservation, and whether it can be released by hand."""

    device_id: uuid.UUID
    external_id: str
    reservation_id: uuid.UUID
    reservation_name: str
    buyer_name: str
    active_from: datetime
    active_until: datetime
    released_at: datetime | None
    state: str
    manual_release_allowed: bool
    reservable_again_at: datetime | None


class ReleaseRead(BaseModel):
    device_id: uuid.UUID
    released_at: datetime
    reservation_ids: list[uuid.UUID]
