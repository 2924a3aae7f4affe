"""Custodial operations: claims (R-ISS-9) and transfers (R-ISS-10) signed with an organization's managed account.

Both follow one path: the same checks (the certificate is the organization's, minted, not revoked, held in the
platform-managed account, enough of it left), a row and a chain-outbox entry written together, a chain worker
that signs with the managed key, and a status that reads "done" only once the indexer recorded the events of
the transaction (R-IDX-1). A buyer whose certificates sit in its own bound wallet acts on chain itself.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.audit import service as audit
from dapp.chain import outbox
from dapp.errors import DomainError, field_error
from dapp.issuance.errors import (
    CertificateHeldProvisionally,
    CertificateNotMinted,
    CertificateNotOwned,
    CertificateRevoked,
    ExternalWallet,
)
from dapp.issuance.schemas import StandardState
from dapp.issuance.service import holdings, standards
from dapp.issuance.service.listing import buyer_certificate
from dapp.models.accounts import Organization
from dapp.models.chain import ChainEvent, TokenBalance
from dapp.models.issuance import Certificate, CertificateStatus, CertificateTransfer, Claim, HeldStatus

OPERATIONS: tuple[type[Claim] | type[CertificateTransfer], ...] = (Claim, CertificateTransfer)


@dataclass(frozen=True)
class Custody:
    """What the organization's managed account can still claim or transfer of a certificate, or why not."""

    certificate: Certificate
    organization: Organization
    available_wh: int
    refusal: DomainError | None = None


def custody_of(session: Session, actor: Actor, certificate: Certificate) -> Custody:
    """The custodial balance of one of the actor's certificates: its indexed balance in the managed account less
    the claims and transfers not yet indexed."""
    organization = session.get_one(Organization, actor.organization_id)
    refusal = _refusal(session, organization, certificate)
    if refusal is not None:
        return Custody(certificate, organization, 0, refusal)
    managed = organization.blockchain_address or ""
    held = _balance(session, managed, certificate.token_id)
    return Custody(certificate, organization, held - in_flight_wh(session, certificate.id, managed))


def held_certificate(session: Session, actor: Actor, certificate_id: uuid.UUID) -> Custody:
    """One of the actor's certificates, locked, that its managed account holds; refused with a problem otherwise."""
    certificate = session.scalars(
        select(Certificate)
        .where(Certificate.id == buyer_certificate(session, actor, certificate_id).id)
        .with_for_update()
    ).one()
    custody = custody_of(session, actor, certificate)
    if custody.refusal is not None:
        raise custody.refusal
    return custody


def require_volume(custody: Custody, volume_wh: int, code: str, done: str) -> None:
    if volume_wh > custody.available_wh:
        raise field_error(
            "volume_wh",
            f"Only {custody.available_wh} Wh of this certificate can still be {done} from your account.",
            code,
        )


def _refusal(session: Session, organization: Organization, certificate: Certificate) -> DomainError | None:
    if certificate.status != CertificateStatus.MINTED:
        return CertificateNotMinted("The certificate is not minted yet; wait until its status is 'minted'.")
    state = holdings.chain_state(session, certificate.token_id)
    if state.is_revoked:
        return CertificateRevoked(
            f"The certificate was revoked ({state.revocation_reason}): it can be neither claimed nor transferred.",
        )
    provisional = _provisional(session, certificate)
    if provisional is not None:
        return provisional
    managed = organization.blockchain_address or ""
    if _balance(session, managed, certificate.token_id) > 0:
        return None
    wallet = _own_wallet_holding(session, organization, certificate)
    if wallet is not None:
        return ExternalWallet(
            f"This certificate is held by your own wallet {wallet}, not by your platform-managed account: "
            "transfer or claim it on chain from that wallet.",
        )
    return CertificateNotOwned(
        "Your platform-managed account holds none of this certificate (it was transferred or claimed).",
    )


def _provisional(session: Session, certificate: Certificate) -> CertificateHeldProvisionally | None:
    """Why a certificate of an I-REC reservation cannot be used yet: its tokens sit in the provisional account
    until its serials are on chain (R-IREC-1); None for any other."""
    state = standards.states(session, [certificate])[certificate.id].state
    if state == StandardState.IREC_REJECTED:
        waiting = (
            "the registry rejected the issue request that holds its energy; the platform retries the request or "
            "releases the certificate, and you are notified of either"
        )
    elif state == StandardState.IREC_PENDING:
        waiting = (
            "its issue request is under way; once the registry assigns its serials and they are written on chain, "
            "the tokens move to your account and you are notified"
        )
    else:
        return None
    return CertificateHeldProvisionally(
        "This certificate is held provisionally, in the platform's provisional account on your behalf, pending its "
        f"I-REC issuance: {waiting}. Then redeem it as I-REC or claim or transfer it as a D-REC.",
    )


def _own_wallet_holding(session: Session, organization: Organization, certificate: Certificate) -> str | None:
    """The organization's own wallet (bound, or named by its reservation) that holds some of the certificate."""
    candidates = [organization.bound_wallet_address]
    if certificate.beneficiary_organization_id == organization.id:
        candidates.append(certificate.owner_address)
    managed = (organization.blockchain_address or "").lower()
    for wallet in candidates:
        if wallet and wallet.lower() != managed and _balance(session, wallet, certificate.token_id) > 0:
            return wallet
    return None


def _balance(session: Session, holder: str, token_id: str) -> int:
    balance = session.scalar(
        select(TokenBalance.balance_wh).where(TokenBalance.token_id == token_id, TokenBalance.holder == holder.lower())
    )
    return int(balance or 0)


def in_flight_wh(session: Session, certificate_id: uuid.UUID, holder: str) -> int:
    """Wh of claims and transfers from `holder` that the indexed balance does not reflect yet."""
    total = 0
    for model in OPERATIONS:
        not_indexed = ~exists().where(ChainEvent.tx_hash == model.tx_hash)
        total += (
            session.scalar(
                select(func.coalesce(func.sum(model.volume_wh), 0)).where(
                    model.certificate_id == certificate_id,
                    model.holder_address == holder,
                    or_(model.status == HeldStatus.PENDING, (model.status == HeldStatus.SENT) & not_indexed),
                )
            )
            or 0
        )
    return total


def record(
    session: Session,
    actor: Actor,
    operation: Claim | CertificateTransfer,
    kind: str,
    action: str,
    now: datetime,
    summary: dict[str, Any],
) -> None:
    """Store the operation, its chain-outbox entry (the chain worker sends it) and its audit entry, together."""
    session.add(operation)
    session.flush()
    outbox.enqueue(session, kind, str(operation.id), now)
    after = {"id": operation.id, "volume_wh": operation.volume_wh, "from": operation.holder_address, **summary}
    audit.record(session, actor, action, "certificate", operation.certificate_id, after=after, now=now)


def shown_status(operation: Claim | CertificateTransfer, is_indexed: bool, done: str) -> str:
    """What the UI says: `done` once the indexer recorded the transaction, else where the platform stands."""
    if is_indexed:
        return done
    return operation.status
