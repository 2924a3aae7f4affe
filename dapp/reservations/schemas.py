"""Request and response models of reservations."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from dapp.reservations.models import Frequency


class Standard(StrEnum):
    DREC = "D-REC"
    IREC = "I-REC"


class ReservationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    target_volume_mwh: Decimal | None = Field(default=None, gt=0, decimal_places=6)
    start: AwareDatetime
    end: AwareDatetime
    frequency: Frequency
    authority_to_exceed: bool = False
    standard: Standard = Standard.DREC
    wallet_address: Annotated[str, StringConstraints(pattern=r"^0x[0-9a-fA-F]{40}$")] | None = None
    timezone: str = "UTC"
    device_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=10_000)]


class ReservationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    period_start: datetime
    period_end: datetime
    frequency: str
    timezone: str
    target_wh: int | None
    authority_to_exceed: bool
    standard: str
    wallet_address: str
    issued_until: datetime
    ended_at: datetime | None
    device_ids: list[uuid.UUID]


class CatalogueDevice(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    external_id: str
    country_code: str
    capacity_kw: Decimal
    device_type_code: str
    fuel_code: str
    off_taker: str | None
    commissioning_date: date
    expected_annual_wh: int
