"""Verification reports, as the API answers them: the standalone verifier's report plus the reference asked."""

from typing import Any

from pydantic import BaseModel


class Check(BaseModel):
    name: str
    passed: bool
    detail: str


class CertificateVerification(BaseModel):
    """What the chain, the metadata document and the platform's record say of a certificate, and whether they
    agree; holders, claims (beneficiary, purpose) and transfers as the chain's events say."""

    reference: str
    verdict: str
    checks: list[Check]
    chain: dict[str, Any]
    metadata: dict[str, Any] | None
    holders: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    transfers: list[dict[str, Any]]
