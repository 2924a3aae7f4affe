"""Request and response models of meter-read ingestion (R-READ-1)."""

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


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

    start: str | None = Field(default=None, description="ISO 8601; history reads only.")
    end: str = Field(description="ISO 8601; without an offset it is local time in the batch's or device's zone.")
    value: Decimal


class ReadBatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: ReadType
    unit: EnergyUnit
    timezone: str | None = None
    reads: Annotated[list[ReadIn], Field(min_length=1, max_length=10_000)]


class ReadOutcome(BaseModel):
    index: int
    status: str = Field(description="accepted, baseline or rejected")
    reason_code: str | None = None
    detail: str | None = None
    start: str | None = None
    end: str | None = None
    energy_wh: int | None = None
    max_energy_wh: int | None = None


class ReadBatchResult(BaseModel):
    device_external_id: str
    accepted: int
    rejected: int
    results: list[ReadOutcome]
