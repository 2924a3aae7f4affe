"""Response models of certificates."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class ContributionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    device_id: uuid.UUID
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
