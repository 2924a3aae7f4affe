"""Request and response models of devices, projects and bulk uploads."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from dapp import codes
from dapp.models.devices import RowStatus
from dapp.web.paging import MAX_PAGE_SIZE, PageQuery

# inner spaces as the original platform allowed them ("Xion Mall", ADR 0101); none at either end
EXTERNAL_ID_PATTERN = r"^[A-Za-z0-9_-](?:[A-Za-z0-9_ -]{0,62}[A-Za-z0-9_-])?$"
ExternalId = Annotated[str, StringConstraints(max_length=64, pattern=EXTERNAL_ID_PATTERN)]
CountryCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=3, to_upper=True)]
MAX_CAPACITY_KW = 1_000_000
Capacity = Annotated[Decimal, Field(gt=0, le=MAX_CAPACITY_KW, max_digits=12, decimal_places=3)]
Latitude = Annotated[Decimal, Field(ge=-90, le=90, description="Decimal degrees; south is negative.")]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, description="Decimal degrees; west is negative.")]
StorageCapacity = Annotated[Decimal, Field(ge=0, le=1_000_000_000, max_digits=12, decimal_places=3)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Story = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Code = Annotated[str, StringConstraints(max_length=100)]  # a code list's entry (the service names the accepted ones)
SdgCodes = list[Annotated[Code, Field(json_schema_extra={"enum": list(codes.SDGS)})]]
TimeZoneName = Annotated[str, StringConstraints(max_length=64)]
YieldValue = Annotated[Decimal, Field(gt=0, le=10_000, description="kWh/kWp/year; overrides the country's yield.")]


def _one_of(values: list[str], description: str) -> Any:
    """A string whose accepted values are documented (the service checks them, naming the accepted values)."""
    return Field(default=None, max_length=100, description=description, json_schema_extra=_enum(values))


def _enum(values: list[str]) -> dict[str, Any]:
    return {"enum": values}


def _normalise_sdgs(value: Any) -> Any:
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").split(",") if part.strip()]
    if isinstance(value, list):
        return [str(code).strip().upper() for code in value]
    return value


class DeviceFields(BaseModel):
    """The optional attributes shared by create and update (R-DEV-1)."""

    model_config = ConfigDict(extra="forbid")

    project_name: Name | None = None
    project_id: uuid.UUID | None = Field(default=None, description="One of your projects (R-DEV-8).")
    off_taker: str | None = _one_of(codes.OFF_TAKERS, "Who uses the energy.")
    device_description: str | None = _one_of(codes.DEVICE_DESCRIPTIONS, "What kind of installation it is.")
    impact_story: Story | None = None
    sdg_benefits: SdgCodes | None = Field(default=None, description="SDG codes, e.g. ['SDG7', 'SDG13'].")
    address: Line | None = None
    quality_labels: Line | None = None
    grid_interconnection: bool | None = None
    energy_storage: bool | None = None
    energy_storage_capacity_kwh: StorageCapacity | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    timezone: TimeZoneName | None = Field(default=None, description="IANA zone; needed only when it cannot be derived.")
    yield_kwh_per_kwp: YieldValue | None = None

    _sdgs = field_validator("sdg_benefits", mode="before")(_normalise_sdgs)


class DeviceCreate(DeviceFields):
    external_id: ExternalId = Field(description="1-64 characters: letters, digits, '-', '_' and inner spaces.")
    country_code: CountryCode = Field(description="ISO 3166-1 alpha-3.")
    commissioning_date: date
    capacity_kw: Capacity
    fuel_code: Code = Field(json_schema_extra={"enum": list(codes.FUELS)})
    device_type_code: Code = Field(json_schema_extra={"enum": list(codes.DEVICE_TYPES)})
    sdg_benefits: SdgCodes = Field(default_factory=list, description="SDG codes, e.g. ['SDG7', 'SDG13'].")
    grid_interconnection: bool = False
    energy_storage: bool = False


class DeviceUpdate(DeviceFields):
    """PATCH: only the fields sent change; `null` clears an optional field."""

    external_id: ExternalId | None = None
    country_code: CountryCode | None = None
    commissioning_date: date | None = None
    capacity_kw: Capacity | None = None
    fuel_code: Code | None = Field(default=None, json_schema_extra={"enum": list(codes.FUELS)})
    device_type_code: Code | None = Field(default=None, json_schema_extra={"enum": list(codes.DEVICE_TYPES)})


class DeviceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    external_id: str
    project_name: str | None
    project_id: uuid.UUID | None
    country_code: str
    commissioning_date: date
    capacity_kw: Decimal
    fuel_code: str
    device_type_code: str
    off_taker: str | None
    device_description: str | None
    impact_story: str | None
    sdg_benefits: list[str]
    address: str | None
    quality_labels: str | None
    grid_interconnection: bool
    energy_storage: bool
    energy_storage_capacity_kwh: Decimal | None
    latitude: Decimal | None
    longitude: Decimal | None
    timezone: str
    yield_kwh_per_kwp: Decimal | None
    onboarded_at: datetime
    updated_at: datetime | None


class DevicePage(BaseModel):
    items: list[DeviceRead]
    page: int
    size: int
    total: int


class SortField(StrEnum):
    ONBOARDED_AT = "onboarded_at"
    EXTERNAL_ID = "external_id"
    PROJECT_NAME = "project_name"
    COUNTRY_CODE = "country_code"
    COMMISSIONING_DATE = "commissioning_date"
    CAPACITY_KW = "capacity_kw"


class ReservationFilter(StrEnum):
    RESERVED = "reserved"
    UNRESERVED = "unreserved"


class DeviceQuery(BaseModel):
    """Filters and order of My devices (R-DEV-5); every filter is optional, lists match any of their values."""

    model_config = ConfigDict(extra="forbid")

    country: list[CountryCode] = []
    device_type: list[Code] = []
    off_taker: list[Code] = []
    capacity_min: Decimal | None = Field(default=None, ge=0, le=MAX_CAPACITY_KW)
    capacity_max: Decimal | None = Field(default=None, ge=0, le=MAX_CAPACITY_KW)
    sdg: list[Code] = []
    commissioned_from: date | None = None
    commissioned_to: date | None = None
    reservation: ReservationFilter | None = Field(
        default=None, description="reserved: in a reservation now or later; unreserved: not."
    )
    sort: SortField = SortField.ONBOARDED_AT
    order: Literal["asc", "desc"] = "desc"

    _sdgs = field_validator("sdg", mode="before")(_normalise_sdgs)

    @classmethod
    def list_fields(cls) -> tuple[str, ...]:
        return ("country", "device_type", "off_taker", "sdg")

    def query_string(self, **override: Any) -> str:
        """These filters as URL query arguments (for links to other pages, sorting and the CSV export)."""
        values = {**self.model_dump(mode="json", exclude_defaults=True), **override}
        pairs = [(k, v) for k, vs in values.items() for v in (vs if isinstance(vs, list) else [vs]) if v is not None]
        return urlencode(pairs)


class DeviceListQuery(PageQuery, DeviceQuery):
    """Query parameters of the devices list: its filters and order, and the page (lists may also be given
    comma-separated)."""


class UploadRowQuery(PageQuery):
    status: RowStatus | None = Field(default=None, description="Only the rows of this status.")
    size: int = Field(default=100, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")


class ProjectCreate(BaseModel):
    """A developer's group of devices (R-DEV-8)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    impact_story: Story | None = None
    sdg_benefits: SdgCodes = Field(default_factory=list)

    _sdgs = field_validator("sdg_benefits", mode="before")(_normalise_sdgs)


class ProjectUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    impact_story: Story | None = None
    sdg_benefits: SdgCodes | None = None

    _sdgs = field_validator("sdg_benefits", mode="before")(_normalise_sdgs)


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    impact_story: str | None
    sdg_benefits: list[str]
    image_cids: list[str]
    created_at: datetime


class ProjectList(BaseModel):
    items: list[ProjectRead]


class UploadStatusName(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"


class DeviceUploadRead(BaseModel):
    """A bulk-upload job: its file (kept by CID), progress and the count of rows per status."""

    id: uuid.UUID = Field(description="The job id.")
    file_name: str
    file_cid: str
    file_size: int
    status: UploadStatusName
    row_count: int
    rows_done: int
    success: int
    success_with_errors: int
    failed: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class DeviceUploadPage(BaseModel):
    items: list[DeviceUploadRead]
    page: int
    size: int
    total: int


class RowProblem(BaseModel):
    field: str
    code: str
    message: str


class UploadRowRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    row_number: int
    external_id: str | None
    status: str = Field(json_schema_extra={"enum": ["success", "success_with_errors", "failed"]})
    status_label: str
    errors: list[RowProblem]
    note: str | None
    device_id: uuid.UUID | None


class UploadRowPage(BaseModel):
    items: list[UploadRowRead]
    page: int
    size: int
    total: int


class TemplateValue(BaseModel):
    value: str
    meaning: str


class TemplateColumn(BaseModel):
    name: str
    required: bool
    accepts: str
    example: str
    values: list[TemplateValue]


class UploadTemplate(BaseModel):
    """The columns of the bulk-upload CSV and what each accepts."""

    columns: list[TemplateColumn]
    max_rows: int
    max_bytes: int
