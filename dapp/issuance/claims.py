"""Claims (retirements) of certificates (R-ISS-9): request, on-chain record, signed retirement statement."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.accounts.models import Organization
from dapp.accounts.permissions import Actor
from dapp.chain import outbox
from dapp.chain.models import OutboxKind
from dapp.devices import catalog
from dapp.errors import Conflict, NotFound, field_error
from dapp.ipfs import canonical_json
from dapp.issuance.listing import buyer_certificate
from dapp.issuance.models import Certificate, CertificateStatus, Claim, ClaimStatus
from dapp.issuance.schemas import ClaimCreate


def request_claim(session: Session, actor: Actor, now: datetime, certificate_id: uuid.UUID, data: ClaimCreate) -> Claim:
    """Record a claim of part of one of the actor's certificates; a chain worker writes it on chain."""
    certificate = session.scalars(
        select(Certificate)
        .where(Certificate.id == buyer_certificate(session, actor, certificate_id).id)
        .with_for_update()
    ).one()
    holder = _custodial_holder(session, actor, certificate)
    _check_claimable(session, certificate, data)
    claim = Claim(
        certificate_id=certificate.id,
        organization_id=actor.organization_id,
        holder_address=holder,
        created_at=now,
        status=ClaimStatus.PENDING,
        **data.model_dump(),
    )
    session.add(claim)
    session.flush()
    outbox.enqueue(session, OutboxKind.CLAIM_CERTIFICATE, str(claim.id), now)
    return claim


def _custodial_holder(session: Session, actor: Actor, certificate: Certificate) -> str:
    if certificate.status != CertificateStatus.MINTED:
        raise Conflict(
            "The certificate is not minted yet; claim it once its status is 'minted'.", code="certificate_not_minted"
        )
    organization = session.get_one(Organization, actor.organization_id)
    if (organization.blockchain_address or "").lower() != certificate.owner_address.lower():
        raise Conflict(
            "This certificate is held by your own wallet: claim it on chain from that wallet.", code="external_wallet"
        )
    return certificate.owner_address


def _check_claimable(session: Session, certificate: Certificate, data: ClaimCreate) -> None:
    if catalog.country_name(data.country_code) is None:
        raise field_error("country_code", f"Unknown country '{data.country_code}': use ISO 3166-1 alpha-3.")
    if data.consumption_start > data.consumption_end:
        raise field_error("consumption_end", "The consumption period must not end before it starts.")
    available = certificate.volume_wh - claimed_or_pending(session, certificate.id)
    if data.volume_wh > available:
        raise field_error(
            "volume_wh", f"Only {available} Wh of this certificate can still be claimed.", "claim_exceeds_balance"
        )


def claimed_or_pending(session: Session, certificate_id: uuid.UUID) -> int:
    return session.scalar(
        select(func.coalesce(func.sum(Claim.volume_wh), 0)).where(
            Claim.certificate_id == certificate_id, Claim.status != ClaimStatus.FAILED
        )
    )


def claims_of(session: Session, actor: Actor, certificate_id: uuid.UUID) -> list[Claim]:
    certificate = buyer_certificate(session, actor, certificate_id)
    return list(session.scalars(select(Claim).where(Claim.certificate_id == certificate.id).order_by(Claim.created_at)))


def get_claim(session: Session, actor: Actor, claim_id: uuid.UUID) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None or claim.organization_id != actor.organization_id:
        raise NotFound("No such claim in your organization.", code="claim_not_found")
    return claim


def claim_data(claim: Claim) -> bytes:
    """What the chain records with the claim (ERC-1888 claimData): the claim's facts as canonical JSON."""
    return canonical_json(
        {
            "claim_id": str(claim.id),
            "beneficiary": claim.beneficiary,
            "location": claim.location,
            "country": claim.country_code,
            "consumption_start": claim.consumption_start.isoformat(),
            "consumption_end": claim.consumption_end.isoformat(),
            "purpose": claim.purpose,
        }
    )


def statement_facts(session: Session, claim: Claim, verify_url: str) -> dict[str, Any]:
    """The content of the retirement statement; the platform signs its canonical JSON."""
    certificate = session.get_one(Certificate, claim.certificate_id)
    organization = session.get_one(Organization, claim.organization_id)
    return {
        "statement": "D-REC retirement statement",
        "claim_id": str(claim.id),
        "claimant": organization.name,
        "beneficiary": claim.beneficiary,
        "location": claim.location,
        "country": claim.country_code,
        "consumption_period": [claim.consumption_start.isoformat(), claim.consumption_end.isoformat()],
        "purpose": claim.purpose,
        "volume_wh": claim.volume_wh,
        "certificate_id": str(certificate.id),
        "token_id": certificate.token_id,
        "generation_period": [certificate.generation_start.isoformat(), certificate.generation_end.isoformat()],
        "generation_country": certificate.country_code,
        "claim_tx_hash": claim.tx_hash,
        "claimed_at": claim.claimed_at.isoformat() if claim.claimed_at else None,
        "verify_url": verify_url,
    }
