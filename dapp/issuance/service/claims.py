"""Claims (retirements) of certificates (R-ISS-9): request, on-chain record, signed retirement statement."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp import codes
from dapp.access.permissions import Actor
from dapp.errors import field_error
from dapp.ipfs import canonical_json
from dapp.issuance import statement
from dapp.issuance.errors import (
    CertificateEnergyRedeemedAsIrec,
    CertificateRedeemedAsIrec,
    ClaimNotFound,
    ClaimNotRecorded,
)
from dapp.issuance.schemas import ClaimCreate, ClaimRead
from dapp.issuance.service import standards
from dapp.issuance.service.custody import Custody, held_certificate, record, require_volume, shown_status
from dapp.issuance.service.listing import buyer_certificate
from dapp.models.accounts import Organization
from dapp.models.chain import OutboxKind, TokenClaim
from dapp.models.devices import Device
from dapp.models.irec import IrecRedemption
from dapp.models.issuance import Certificate, CertificateContribution, Claim, HeldStatus
from dapp.models.reservations import Reservation


def request_claim(session: Session, actor: Actor, now: datetime, certificate_id: uuid.UUID, data: ClaimCreate) -> Claim:
    """Record a claim of part of the certificate held in the actor's managed account; a chain worker sends it."""
    custody = held_certificate(session, actor, certificate_id)  # locked: a redemption waits for this claim
    redeemed = select(IrecRedemption.id).where(IrecRedemption.certificate_id == custody.certificate.id)
    if session.scalar(redeemed) is not None:
        raise CertificateRedeemedAsIrec("This certificate is redeemed as I-REC; it cannot also be claimed as a D-REC.")
    shared = standards.shared_serial_redeemed(session, custody.certificate)
    if shared is not None:
        raise CertificateEnergyRedeemedAsIrec(
            f"Part of this certificate's energy is in the I-REC serials {shared['serial_start']} – "
            f"{shared['serial_end']}, redeemed with another certificate (registry reference {shared['reference']}); "
            "it cannot also be claimed as a D-REC. Redeem this certificate as I-REC instead: its token is then "
            "burned naming that redemption.",
        )
    return record_claim(session, actor, custody, now, data)


def record_claim(session: Session, actor: Actor, custody: Custody, now: datetime, data: ClaimCreate) -> Claim:
    """A claim of a held certificate, checked, stored with its chain-outbox entry and audit entry."""
    _check_claim(data)
    require_volume(custody, data.volume_wh, "claim_exceeds_balance", "claimed")
    claim = Claim(
        certificate_id=custody.certificate.id,
        organization_id=actor.organization_id,
        holder_address=custody.organization.blockchain_address,
        created_at=now,
        status=HeldStatus.PENDING,
        **data.model_dump(),
    )
    summary = {"beneficiary": data.beneficiary, "purpose": data.purpose}
    record(session, actor, claim, OutboxKind.CLAIM_CERTIFICATE, "certificate.claim", now, summary)
    return claim


def _check_claim(data: ClaimCreate) -> None:
    if codes.country_name(data.country_code) is None:
        raise field_error("country_code", f"Unknown country '{data.country_code}': use ISO 3166-1 alpha-3.")
    if data.consumption_start > data.consumption_end:
        raise field_error("consumption_end", "The consumption period must not end before it starts.")


def claims_of(session: Session, actor: Actor, certificate_id: uuid.UUID) -> list[ClaimRead]:
    """The organization's claims of one certificate, oldest first, with their status as indexed."""
    certificate = buyer_certificate(session, actor, certificate_id)
    rows = session.execute(
        select(Claim, TokenClaim.claimed_at)
        .outerjoin(TokenClaim, (TokenClaim.tx_hash == Claim.tx_hash) & (TokenClaim.token_id == certificate.token_id))
        .where(Claim.certificate_id == certificate.id, Claim.organization_id == actor.organization_id)
        .order_by(Claim.created_at)
    )
    return [claim_read(claim, claimed_at) for claim, claimed_at in rows]


def claim_read(claim: Claim, claimed_at: datetime | None) -> ClaimRead:
    """A claim as shown: 'claimed' once the indexer recorded its ClaimSingle event (R-IDX-1)."""
    status = shown_status(claim, claimed_at is not None, "claimed")
    return ClaimRead.model_validate(claim).model_copy(update={"status": status, "claimed_at": claimed_at})


def get_claim(session: Session, actor: Actor, claim_id: uuid.UUID) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None or claim.organization_id != actor.organization_id:
        raise ClaimNotFound("No such claim in your organization.")
    return claim


def indexed_claim_time(session: Session, claim: Claim) -> datetime | None:
    """When the chain recorded the claim, once the indexer saw its event; None before."""
    if claim.tx_hash is None:
        return None
    token_id = session.get_one(Certificate, claim.certificate_id).token_id
    return session.scalar(
        select(TokenClaim.claimed_at).where(TokenClaim.tx_hash == claim.tx_hash, TokenClaim.token_id == token_id)
    )


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


ISSUER = "D-REC registry (this platform), as the issuer of the certificate and the signer of this statement"


def statement_facts(session: Session, claim: Claim, recorded_at: datetime, verify_url: str) -> dict[str, Any]:
    """The content of the retirement statement; the platform signs its canonical JSON. `claimed_at` is when the
    owner claimed, on the platform's clock (the same clock as the certificate's generation period); the chain's
    block time of the claim is `recorded_on_chain_at`, which a chain with its own clock may place elsewhere."""
    certificate = session.get_one(Certificate, claim.certificate_id)
    organization = session.get_one(Organization, claim.organization_id)
    reservation = session.get_one(Reservation, certificate.reservation_id)
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
        "issuer": ISSUER,
        "standard": reservation.standard,
        "generation_period": [certificate.generation_start.isoformat(), certificate.generation_end.isoformat()],
        "generation_country": certificate.country_code,
        "devices": device_facts(session, certificate.id),
        "claim_tx_hash": claim.tx_hash,
        "claimed_at": claim.created_at.isoformat(),
        "recorded_on_chain_at": recorded_at.isoformat(),
        "verify_url": verify_url,
    }


def device_facts(session: Session, certificate_id: uuid.UUID) -> list[dict[str, Any]]:
    """The facts of each device whose energy the certificate holds."""
    devices = session.scalars(
        select(Device)
        .join(CertificateContribution, CertificateContribution.device_id == Device.id)
        .where(CertificateContribution.certificate_id == certificate_id)
        .order_by(Device.external_id)
    )
    return [
        {
            "name": device.external_id,
            "location": device.address
            or (f"{device.latitude}, {device.longitude}" if device.latitude is not None else None),
            "country": device.country_code,
            "technology": f"{codes.FUELS.get(device.fuel_code, device.fuel_code)}, "
            f"{codes.DEVICE_TYPES.get(device.device_type_code, device.device_type_code)}",
            "capacity_kw": str(device.capacity_kw),
            "commissioning_date": device.commissioning_date.isoformat(),
        }
        for device in devices
    ]


def signed_statement(
    session: Session, actor: Actor, claim_id: uuid.UUID, base_url: str, private_key: str
) -> statement.Statement:
    """The retirement statement of one of the actor's claims, signed by the registry; only once the chain
    recorded the claim."""
    claim = get_claim(session, actor, claim_id)
    claimed_at = indexed_claim_time(session, claim)
    if claimed_at is None:
        raise ClaimNotRecorded("The claim is not recorded on chain yet; the statement follows once it is.")
    token_id = session.get_one(Certificate, claim.certificate_id).token_id
    facts = statement_facts(session, claim, claimed_at, f"{base_url}/verify/certificates/{token_id}")
    return statement.signed(facts, private_key)
