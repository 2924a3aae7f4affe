"""Request and response models of devices."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

ExternalId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class DeviceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: ExternalId = Field(description="1-64 characters: letters, digits, '-' and '_'.")
    country_code: Annotated[str, StringConstraints(min_length=3, max_length=3, to_upper=True)]
    commissioning_date: date
    capacity_kw: Decimal = Field(gt=0, le=1_000_000, max_digits=12, decimal_places=3)
    fuel_code: str
    device_type_code: str
    project_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    off_taker: str | None = None
    latitude: Decimal | None = Field(default=None, ge=-90, le=90)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180)
    timezone: str | None = None
    yield_kwh_per_kwp: Decimal | None = Field(default=None, gt=0, le=10_000)


class DeviceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    external_id: str
    project_name: str | None
    country_code: str
    commissioning_date: date
    capacity_kw: Decimal
    fuel_code: str
    device_type_code: str
    off_taker: str | None
    latitude: Decimal | None
    longitude: Decimal | None
    timezone: str
    yield_kwh_per_kwp: Decimal | None
    onboarded_at: datetime


class DevicePage(BaseModel):
    items: list[DeviceRead]
    page: int
    size: int
    total: int
