"""Redemption as I-REC (R-IREC-3): the buyer chooses, per certificate, to redeem it at the registry (its serials
move from the platform account to the redemption account for a beneficiary and period) instead of claiming it
as a D-REC. Once the registry answers with its reference, the whole token is burned by a claim whose on-chain
data carries that reference. A certificate is redeemed at most once (unique row) and never also claimed: the
request locks the certificate and refuses one with any claim, and the claim path refuses a redeemed one.
"""

import uuid
from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.access.permissions import FULL, Actor
from dapp.audit import service as audit
from dapp.db import flush_or_raise
from dapp.irec import notices
from dapp.irec.errors import CertificateNotIrecIssued, NoOwnSerials, RedemptionNotFound, RedemptionOrClaimExists
from dapp.irec.registry import Registry, RegistryRefused, RegistryUnavailable, SerialSlice
from dapp.irec.schemas import RedemptionCreate
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
    if not _owned_slices(state):
        raise NoOwnSerials("No whole I-REC serial of this certificate is its own: it shares them with its neighbours.")
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


def _owned_slices(state: IrecCertificate) -> list[tuple[str, int, int]]:
    """(registry issue id, first serial, MWh) of each range of serials the certificate owns."""
    return [
        (str(r["registry_id"]), int(r["owned_first"]), int(r["owned_last"]) - int(r["owned_first"]) + 1)
        for r in state.serial_ranges or []
        if r.get("owned_first") is not None
    ]


def requested(session: Session) -> list[uuid.UUID]:
    query = select(IrecRedemption.id).where(IrecRedemption.status == RedemptionStatus.REQUESTED)
    return list(session.scalars(query.order_by(IrecRedemption.created_at)))


def follow(session: Session, registry: Registry, now: datetime, redemption_id: uuid.UUID) -> str:
    """Redeem each owned serial range at the registry (client key per range), then burn the token with the
    registries' references; a refusal fails the redemption with the registry's reason and burns nothing."""
    redemption = session.get_one(IrecRedemption, redemption_id, with_for_update=True)
    if redemption.status != RedemptionStatus.REQUESTED:
        return redemption.status
    state = session.get_one(IrecCertificate, redemption.certificate_id)
    period = (_instant(redemption.consumption_start), _instant(redemption.consumption_end))
    statements = []
    try:
        for index, (issue_id, first, volume) in enumerate(_owned_slices(state)):
            answer = registry.redeem(
                f"redeem-{redemption.id}-{index}", SerialSlice(issue_id, first, volume), redemption.beneficiary, period
            )
            statements.append(
                {"reference": answer.reference, "registry_id": answer.id, "volume_mwh": answer.volume_mwh,
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
    references = ", ".join(s["reference"] for s in redemption.statements)
    data = ClaimCreate(
        volume_wh=custody.certificate.volume_wh, beneficiary=redemption.beneficiary, location=redemption.location,
        country_code=redemption.country_code, consumption_start=redemption.consumption_start,
        consumption_end=redemption.consumption_end, purpose=f"Redeemed as I-REC: registry reference {references}",
    )  # fmt: skip
    return record_claim(session, actor, custody, now, data)


def _instant(day: object) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)  # type: ignore[arg-type]


def get(session: Session, actor: Actor, redemption_id: uuid.UUID) -> IrecRedemption:
    redemption = session.get(IrecRedemption, redemption_id)
    if redemption is None or redemption.organization_id != actor.organization_id:
        raise RedemptionNotFound()
    return redemption
