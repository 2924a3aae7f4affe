"""Redemption as I-REC (R-IREC-3): the buyer chooses, per certificate, to redeem it at the registry (its serials
move from the platform account to the redemption account for a beneficiary and period) instead of claiming it
as a D-REC. Once the registry answers with its reference, the whole token is burned by a claim whose on-chain
data carries that reference. A certificate is redeemed at most once (unique row) and never also claimed: the
request locks the certificate and refuses one with any claim, and the claim path refuses a redeemed one.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.access.permissions import FULL, Actor
from dapp.audit import service as audit
from dapp.db import flush_or_raise
from dapp.irec import notices
from dapp.irec.errors import CertificateNotIrecIssued, RedemptionOrClaimExists
from dapp.irec.registry import Registry, RegistryRefused, RegistryUnavailable, SerialSlice
from dapp.irec.schemas import RedemptionCreate
from dapp.irec.service.serials import Serial, serials_of
from dapp.issuance.schemas import ClaimCreate
from dapp.issuance.service.claims import record_claim
from dapp.issuance.service.custody import held_certificate
from dapp.issuance.service.listing import buyer_certificate
from dapp.models.accounts import Organization
from dapp.models.irec import ConversionStatus, IrecCertificate, IrecRedemption, RedemptionStatus
from dapp.models.issuance import Claim
from dapp.platform import enqueue_after_commit


def request_redemption(
    session: Session, actor: Actor, now: datetime, certificate_id: uuid.UUID, data: RedemptionCreate
) -> IrecRedemption:
    """Ask for the certificate's redemption as I-REC; the registry job redeems it and burns the token."""
    state = session.get(IrecCertificate, buyer_certificate(session, actor, certificate_id).id)
    if state is None or state.status != ConversionStatus.ISSUED or state.confirm_tx_hash is None:
        raise CertificateNotIrecIssued("This certificate is not issued as I-REC (with serials on chain) yet.")
    custody = held_certificate(session, actor, certificate_id)  # held by the actor's account; locked
    claimed = session.scalar(select(Claim.id).where(Claim.certificate_id == custody.certificate.id).limit(1))
    redeemed = session.scalar(select(IrecRedemption.id).where(IrecRedemption.certificate_id == custody.certificate.id))
    if claimed is not None or redeemed is not None:
        raise RedemptionOrClaimExists(
            "This certificate is already redeemed or claimed; it is used once, in one system."
        )
    redemption = IrecRedemption(
        certificate_id=custody.certificate.id, organization_id=actor.organization_id,
        requested_by_user_id=actor.user_id, status=RedemptionStatus.REQUESTED, created_at=now, statements=[],
        **data.model_dump(),
    )  # fmt: skip
    session.add(redemption)
    flush_or_raise(session, RedemptionOrClaimExists("This certificate is already being redeemed."))
    audit.record(
        session, actor, "irec.redeem", "certificate", custody.certificate.id,
        after={"beneficiary": data.beneficiary, "redemption_id": str(redemption.id)}, now=now,
    )  # fmt: skip
    enqueue_after_commit(session, "irec.sync_registry")
    return redemption


@dataclass(frozen=True)
class Run:
    """Consecutive serials of one issuance that a redemption redeems together."""

    issue_id: str
    first: int
    volume_mwh: int


def runs_to_redeem(serials: list[Serial]) -> list[Run]:
    """The serials carrying the certificate's energy that are neither redeemed already nor blocked by a D-REC
    claim of energy they carry, as runs of consecutive numbers (ADR 0113)."""
    runs: list[Run] = []
    for serial in serials:
        if serial.redeemed is not None or serial.blocked:
            continue
        last = runs[-1] if runs else None
        if last is not None and last.issue_id == serial.issue_id and last.first + last.volume_mwh == serial.number:
            runs[-1] = Run(last.issue_id, last.first, last.volume_mwh + 1)
        else:
            runs.append(Run(serial.issue_id, serial.number, 1))
    return runs


def requested(session: Session) -> list[uuid.UUID]:
    query = select(IrecRedemption.id).where(IrecRedemption.status == RedemptionStatus.REQUESTED)
    return list(session.scalars(query.order_by(IrecRedemption.created_at)))


def follow(session: Session, registry: Registry, now: datetime, redemption_id: uuid.UUID) -> str:
    """Redeem at the registry the serials carrying the certificate's energy that no redemption redeemed and no D-REC
    claim blocks (client key per run of serials), then burn the token naming every reference of its serials; a
    refusal fails the redemption with the registry's reason and burns nothing."""
    redemption = session.get_one(IrecRedemption, redemption_id, with_for_update=True)
    if redemption.status != RedemptionStatus.REQUESTED:
        return redemption.status
    state = session.get_one(IrecCertificate, redemption.certificate_id)
    period = (_instant(redemption.consumption_start), _instant(redemption.consumption_end))
    statements = []
    try:
        for run in runs_to_redeem(serials_of(session, state)):
            answer = registry.redeem(
                f"redeem-{redemption.id}-{run.issue_id}-{run.first}",
                SerialSlice(run.issue_id, run.first, run.volume_mwh), redemption.beneficiary, period,
            )  # fmt: skip
            statements.append(
                {"reference": answer.reference, "registry_id": answer.id, "volume_mwh": answer.volume_mwh,
                 "issue_id": run.issue_id, "first": answer.serials.first, "last": answer.serials.last,
                 "serial_start": answer.serials.start, "serial_end": answer.serials.end, "account": answer.account}
            )  # fmt: skip
    except RegistryUnavailable:
        return redemption.status
    except RegistryRefused as refused:
        redemption.status, redemption.reason = RedemptionStatus.FAILED, refused.reason
        notices.redemption_decided(session, redemption, now)
        return redemption.status
    redemption.statements, redemption.redeemed_at = statements, now
    redemption.claim_id = _burn(session, redemption, now).id
    redemption.status = RedemptionStatus.REDEEMED
    notices.redemption_decided(session, redemption, now)
    return redemption.status


def _burn(session: Session, redemption: IrecRedemption, now: datetime) -> Claim:
    """The claim that burns the whole token on chain, its purpose naming the registry's references."""
    organization = session.get_one(Organization, redemption.organization_id)
    actor = Actor(organization.id, organization.type, user_id=redemption.requested_by_user_id, permissions=FULL)
    custody = held_certificate(session, actor, redemption.certificate_id)
    references = ", ".join(references_of(session, redemption)) or "none (every serial carrying its energy is in use)"
    data = ClaimCreate(
        volume_wh=custody.certificate.volume_wh, beneficiary=redemption.beneficiary, location=redemption.location,
        country_code=redemption.country_code, consumption_start=redemption.consumption_start,
        consumption_end=redemption.consumption_end, purpose=f"Redeemed as I-REC: registry reference {references}",
    )  # fmt: skip
    return record_claim(session, actor, custody, now, data)


def references_of(session: Session, redemption: IrecRedemption) -> list[str]:
    """The registry references of every serial carrying the certificate's energy that is redeemed: by this
    redemption, or before it, with a certificate sharing the serial."""
    state = session.get_one(IrecCertificate, redemption.certificate_id)
    own = [s["reference"] for s in redemption.statements]
    earlier = [s.redeemed["reference"] for s in serials_of(session, state) if s.redeemed is not None]
    return list(dict.fromkeys(own + earlier))


def _instant(day: object) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)  # type: ignore[arg-type]
