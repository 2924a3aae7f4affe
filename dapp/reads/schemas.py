"""Request and response models of meter reads: ingestion (R-READ-1/2), meter replacement, yields, reviews,
listing and the energy ledger (R-READ-10, R-READ-13)."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dapp.web.paging import MAX_PAGE

MAX_READS_PER_REQUEST = 10_000
# Beyond any meter's register in any unit; within it, the read rules refuse (read by read) what no BIGINT holds.
LARGEST_REGISTER = 10**30
Instant = Annotated[str, Field(max_length=64)]  # an ISO 8601 text, parsed by the read rules
TimeZoneName = Annotated[str, Field(max_length=64, description="IANA time zone, e.g. Africa/Nairobi.")]
ReadValue = Annotated[Decimal, Field(ge=-LARGEST_REGISTER, le=LARGEST_REGISTER, max_digits=40)]
# The original platform's shapes (R-READ-2, ADR 0101): epoch milliseconds, numeric organization ids.
LATEST_EPOCH_MS = 10**15
EpochMillis = Annotated[int, Field(ge=0, le=LATEST_EPOCH_MS)] | Annotated[float, Field(ge=0, le=LATEST_EPOCH_MS)]
OriginalOrganizationId = Annotated[str, Field(max_length=64)] | Annotated[int, Field(ge=0, le=2**63 - 1)]


class ReadType(StrEnum):
    HISTORY = "history"
    DELTA = "delta"
    AGGREGATE = "aggregate"


class EnergyUnit(StrEnum):
    WH = "Wh"
    KWH = "kWh"
    MWH = "MWh"
    GWH = "GWh"


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: Instant | None = Field(default=None, description="ISO 8601; history reads only.")
    end: Instant = Field(description="ISO 8601; without an offset it is local time in the batch's or device's zone.")
    value: ReadValue


class ReadBatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: ReadType
    unit: EnergyUnit
    timezone: TimeZoneName | None = None
    reads: Annotated[list[ReadIn], Field(min_length=1, max_length=MAX_READS_PER_REQUEST)]


class DeviceReadBlock(ReadBatchCreate):
    """The reads of one device inside a multi-device batch."""

    external_id: str = Field(min_length=1, max_length=64)


class MultiDeviceBatchCreate(BaseModel):
    """`POST /api/v1/reads`: reads of many devices in one request (1 … 10,000 reads in all)."""

    model_config = ConfigDict(extra="forbid")

    devices: Annotated[list[DeviceReadBlock], Field(min_length=1, max_length=MAX_READS_PER_REQUEST)]

    @model_validator(mode="after")
    def _at_most_10000_reads(self) -> "MultiDeviceBatchCreate":
        total = sum(len(block.reads) for block in self.devices)
        if total > MAX_READS_PER_REQUEST:
            raise ValueError(f"at most {MAX_READS_PER_REQUEST:,} reads per request ({total:,} sent)")
        return self


class BatchOptions(BaseModel):
    """Query parameters of the read ingestion routes."""

    model_config = ConfigDict(extra="forbid")

    atomic: bool = Field(default=False, description="true: store nothing unless every read is accepted.")
    acknowledge_old: bool = Field(
        default=False, description="true: accept reads older than the platform's age limit (they are flagged)."
    )


class ReplacementOptions(BaseModel):
    """Query parameters of a meter replacement."""

    model_config = ConfigDict(extra="forbid")

    acknowledge_old: bool = Field(default=False, description="true: accept a final read older than the age limit.")


class ReadOutcome(BaseModel):
    index: int
    status: str = Field(description="accepted, baseline, flagged or rejected")
    reason_code: str | None = None
    detail: str | None = None
    start: str | None = None
    end: str | None = None
    energy_wh: int | None = None
    max_energy_wh: int | None = None
    clear_sky_wh: int | None = None


class ReadBatchResult(BaseModel):
    device_external_id: str
    accepted: int = Field(description="reads stored (accepted, baseline or flagged)")
    flagged: int = 0
    rejected: int
    results: list[ReadOutcome]


class MultiDeviceBatchResult(BaseModel):
    accepted: int = Field(description="reads stored (accepted, baseline or flagged)")
    flagged: int
    rejected: int
    devices: list[ReadBatchResult]


class DrecReadIn(BaseModel):
    """One read in the original D-REC platform's shape."""

    model_config = ConfigDict(extra="ignore")

    starttimestamp: Instant | EpochMillis | None = None
    endtimestamp: Instant | EpochMillis = Field(description="ISO 8601 (UTC without an offset) or epoch milliseconds")
    value: ReadValue


class DrecReadBatchCreate(BaseModel):
    """The original D-REC platform's body of `POST /api/meter-reads/new/{externalId}` (R-READ-2)."""

    model_config = ConfigDict(extra="ignore")

    type: str = Field(max_length=20, description="History, Delta or Aggregate")
    unit: EnergyUnit
    timezone: TimeZoneName | None = None
    organizationId: OriginalOrganizationId | None = None  # noqa: N815 - the original platform's field name
    reads: Annotated[list[DrecReadIn], Field(min_length=1, max_length=MAX_READS_PER_REQUEST)]

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value.lower() not in {t.value for t in ReadType}:
            raise ValueError("type must be History, Delta or Aggregate")
        return value


class DrecReadQuery(BaseModel):
    """The original D-REC platform's read-back query (`GET /api/meter-reads/new/{externalId}`)."""

    model_config = ConfigDict(extra="ignore")

    readType: str = Field(default="meterReads", max_length=20)  # noqa: N815 - the original platform's name
    start: datetime
    end: datetime
    pagenumber: int = Field(default=1, ge=1, le=MAX_PAGE)

    @model_validator(mode="after")
    def _meter_reads_in_order(self) -> "DrecReadQuery":
        if self.readType != "meterReads":
            raise ValueError("Invalid readType parameter: this route reads back readType=meterReads")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class MeterReplacementCreate(BaseModel):
    """An aggregate meter was replaced: optionally the old meter's final register, then a new baseline."""

    model_config = ConfigDict(extra="forbid")

    replaced_at: Instant = Field(description="ISO 8601; without an offset it is local time in the device's zone.")
    unit: EnergyUnit = EnergyUnit.WH
    final_value: ReadValue | None = Field(
        default=None, description="The old meter's last register, recorded as an ordinary aggregate read."
    )
    note: str | None = Field(default=None, max_length=500)


class MeterReplacementRead(BaseModel):
    device_external_id: str
    replaced_at: datetime
    final_read: ReadOutcome | None
    message: str


class CountryYieldUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    yield_kwh_per_kwp: Decimal = Field(gt=0, le=8760, max_digits=8, decimal_places=2)


class CountryYieldRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    country_code: str
    yield_kwh_per_kwp: Decimal
    updated_at: datetime


class ReviewDecision(StrEnum):
    ACCEPT = "accept"
    DISMISS = "dismiss"


class ReadReviewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: ReviewDecision
    note: str | None = Field(default=None, max_length=500)


class ReadQuery(BaseModel):
    """Filters of the reads list: both dates are mandatory (R-READ-10); dates are days in the device's zone."""

    model_config = ConfigDict(extra="forbid")

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    status: str | None = Field(default=None, max_length=20)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    size: int = Field(default=100, ge=1, le=1000)

    @model_validator(mode="after")
    def _ordered(self) -> "ReadQuery":
        if self.end < self.start:
            raise ValueError("'to' must not be before 'from'")
        return self


class ReadRow(BaseModel):
    kind: str = Field(description="history or ongoing")
    read_type: str
    status: str = Field(description="accepted, certified, baseline, flagged, dismissed or rejected")
    reason_code: str | None
    detail: str | None = Field(description="why a rejected read was refused, as a sentence")
    start_utc: datetime | None
    end_utc: datetime | None
    start_local: str | None
    end_local: str | None
    value_wh: int | None
    energy_wh: int | None
    certified_wh: int
    max_energy_wh: int | None
    clear_sky_wh: int | None
    location_source: str | None


class ReadPage(BaseModel):
    device_external_id: str
    timezone: str
    page: int
    size: int
    total: int
    items: list[ReadRow]


class FlaggedReadRow(BaseModel):
    id: int
    period_end: datetime
    organization: str
    device_external_id: str
    timezone: str = Field(description="the device's time zone, for showing the interval in local time")
    period_start: datetime | None
    energy_wh: int
    clear_sky_wh: int | None
    max_energy_wh: int | None
    location_source: str | None


class LedgerQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: datetime = Field(alias="from", description="ISO 8601 instant with offset")
    end: datetime = Field(alias="to", description="ISO 8601 instant with offset")

    @model_validator(mode="after")
    def _ordered(self) -> "LedgerQuery":
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("'from' and 'to' need an offset, e.g. 2026-06-01T00:00:00+00:00")
        if self.end <= self.start:
            raise ValueError("'to' must be after 'from'")
        return self


class WaitingEnergy(BaseModel):
    baseline_wh: int
    not_reserved_wh: int
    window_open_wh: int
    window_closed_wh: int = Field(description="reserved time whose window was issued without it (late or excess)")
    flagged_wh: int
    total_wh: int


class LedgerRead(BaseModel):
    device_external_id: str
    start: datetime
    end: datetime
    reported_wh: int
    certified_wh: int
    waiting: WaitingEnergy
    rejected_wh: int = Field(
        description="Wh claimed by rejected reads (a rejected aggregate read claims none), counted whole in the "
        "period holding the read's end or, when its timestamps could not be read, the instant it was received; "
        "plus the part in the period of reads a platform admin dismissed"
    )
    rejected_reads: int = Field(description="rejected reads counted in the period, by the same rule")
    resent_wh: int = Field(
        default=0,
        description="Wh of rejected reads that were sent again and since stored: counted once, in the stored read "
        "(not in reported_wh nor rejected_wh)",
    )
    resent_reads: int = Field(default=0, description="rejected reads sent again and since stored")
