"""The verification report of a certificate."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class Check(BaseModel):
    name: str
    passed: bool
    detail: str


class ChainFacts(BaseModel):
    token_id: str
    owner: str
    owner_balance_wh: int
    volume_wh: int
    period_start: datetime
    period_end: datetime
    metadata_cid: str
    contributions_root: str
    tx_hash: str
    block_number: int
    is_revoked: bool
    claimed_wh: int
    claims: list[dict[str, Any]]


class CertificateVerification(BaseModel):
    """What the chain, IPFS and the platform say about a certificate, and whether they agree."""

    reference: str
    verdict: str
    checks: list[Check]
    chain: ChainFacts | None
    metadata: dict[str, Any] | None
