"""Where a certificate stands between D-REC and I-REC (R-ISS-7): a D-REC reservation's certificate; or an I-REC
reservation's, held provisionally until the registry issues it, rejected, issued with its serials on chain, or
redeemed as I-REC; or released whole as a plain D-REC by an admin once its release is on chain (ADR 0110). The same
rules answer a list's filter (SQL) and each row's state (Python).
"""

import uuid
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from dapp.issuance.schemas import IrecStateRead, StandardState
from dapp.models.irec import (
    ConversionStatus,
    IrecAllocation,
    IrecCertificate,
    IrecIssueRequest,
    IrecPart,
    IrecRedemption,
    IssueRequestStatus,
    RedemptionStatus,
)
from dapp.models.issuance import Certificate
from dapp.models.reservations import Reservation
from dapp.reservations.service.irec import IREC

_IS_IREC = exists().where(Reservation.id == Certificate.reservation_id, Reservation.standard == IREC)
_REDEEMED = exists().where(
    IrecRedemption.certificate_id == Certificate.id, IrecRedemption.status != RedemptionStatus.FAILED
)
_ISSUED = exists().where(
    IrecCertificate.certificate_id == Certificate.id,
    IrecCertificate.status == ConversionStatus.ISSUED,
    IrecCertificate.confirm_tx_hash.is_not(None),
)
_REJECTED = exists().where(
    IrecCertificate.certificate_id == Certificate.id, IrecCertificate.status == ConversionStatus.REJECTED
)
_RELEASED = exists().where(
    IrecCertificate.certificate_id == Certificate.id,
    IrecCertificate.status == ConversionStatus.RELEASED,
    IrecCertificate.release_tx_hash.is_not(None),
)
_CONDITIONS: dict[StandardState, ColumnElement[bool]] = {
    StandardState.DREC: ~_IS_IREC,
    StandardState.IREC_PENDING: _IS_IREC & ~_ISSUED & ~_REJECTED & ~_RELEASED,
    StandardState.IREC_REJECTED: _REJECTED,
    StandardState.IREC_ISSUED: _ISSUED & ~_REDEEMED,
    StandardState.IREC_REDEEMED: _REDEEMED,
    StandardState.DREC_RELEASED: _RELEASED,
}


def condition(state: StandardState) -> ColumnElement[bool]:
    """The certificates in `state`, as a condition on `Certificate`."""
    return _CONDITIONS[state]


def states(session: Session, certificates: list[Certificate]) -> dict[uuid.UUID, IrecStateRead]:
    """Certificate id → its state, with serials, the registry's reason of a rejection, and its redemption."""
    ids = [c.id for c in certificates]
    irec_reservations = set(
        session.scalars(
            select(Reservation.id).where(
                Reservation.id.in_({c.reservation_id for c in certificates}), Reservation.standard == IREC
            )
        )
    )
    conversions = {
        s.certificate_id: s
        for s in session.scalars(select(IrecCertificate).where(IrecCertificate.certificate_id.in_(ids)))
    }
    redemptions = {
        r.certificate_id: r
        for r in session.scalars(select(IrecRedemption).where(IrecRedemption.certificate_id.in_(ids)))
    }
    reasons = _rejection_reasons(session, [i for i, s in conversions.items() if s.status == ConversionStatus.REJECTED])
    return {
        c.id: _state(c.reservation_id in irec_reservations, conversions.get(c.id), redemptions.get(c.id), reasons)
        for c in certificates
    }


def _state(
    is_irec: bool,
    conversion: IrecCertificate | None,
    redemption: IrecRedemption | None,
    reasons: dict[uuid.UUID, str],
) -> IrecStateRead:
    if not is_irec:
        return IrecStateRead(state=StandardState.DREC)
    if conversion is None:
        return IrecStateRead(state=StandardState.IREC_PENDING)
    serials = {"serial_start": conversion.serial_start, "serial_end": conversion.serial_end}
    if conversion.status == ConversionStatus.REJECTED:
        return IrecStateRead(state=StandardState.IREC_REJECTED, reason=reasons.get(conversion.certificate_id))
    if conversion.status == ConversionStatus.RELEASED and conversion.release_tx_hash is not None:
        return IrecStateRead(state=StandardState.DREC_RELEASED)
    if conversion.status != ConversionStatus.ISSUED or conversion.confirm_tx_hash is None:
        return IrecStateRead(state=StandardState.IREC_PENDING)
    if redemption is None:
        return IrecStateRead(state=StandardState.IREC_ISSUED, **serials)
    used = redemption.status != RedemptionStatus.FAILED
    return IrecStateRead(
        state=StandardState.IREC_REDEEMED if used else StandardState.IREC_ISSUED,
        redemption_id=redemption.id,
        redemption_status=redemption.status,
        **serials,
    )


def _rejection_reasons(session: Session, certificate_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Certificate id → the reason of the newest rejected issue request holding its energy."""
    if not certificate_ids:
        return {}
    query = (
        select(IrecPart.certificate_id, IrecIssueRequest.reason)
        .join(IrecAllocation, IrecAllocation.part_id == IrecPart.id)
        .join(IrecIssueRequest, IrecIssueRequest.id == IrecAllocation.request_id)
        .where(IrecPart.certificate_id.in_(certificate_ids), IrecIssueRequest.status == IssueRequestStatus.REJECTED)
        .order_by(IrecIssueRequest.decided_at)
    )
    return {certificate_id: reason or "rejected by the registry" for certificate_id, reason in session.execute(query)}


def redeemed_serials(session: Session, issue_id: str) -> dict[int, dict[str, Any]]:
    """Serial number → the registry's statement of the redemption that redeemed it, in one issuance (ADR 0113)."""
    query = select(IrecRedemption.id, IrecRedemption.statements).where(
        IrecRedemption.status == RedemptionStatus.REDEEMED,
        IrecRedemption.statements.contains([{"issue_id": issue_id}]),
    )
    redeemed = {}
    for redemption_id, statements in session.execute(query):
        for statement in statements:
            if statement.get("issue_id") == issue_id:
                for number in range(int(statement["first"]), int(statement["last"]) + 1):
                    redeemed[number] = {**statement, "redemption_id": str(redemption_id)}
    return redeemed


def shared_serial_redeemed(session: Session, certificate: Certificate) -> dict[str, Any] | None:
    """The registry's statement of a redemption (of another certificate) that redeemed a serial carrying some of the
    certificate's energy, or None; the issue requests of its serials are locked (the redemption job locks them
    too, so the two never decide about a shared serial at once)."""
    state = session.get(IrecCertificate, certificate.id)
    ranges = (state.serial_ranges or []) if state is not None else []
    request_ids = [uuid.UUID(r["request_id"]) for r in ranges]
    session.scalars(
        select(IrecIssueRequest.id)
        .where(IrecIssueRequest.id.in_(request_ids))
        .order_by(IrecIssueRequest.id)
        .with_for_update()
    ).all()
    for entry in ranges:
        redeemed = redeemed_serials(session, str(entry["registry_id"]))
        for number in range(int(entry["first"]), int(entry["last"]) + 1):
            if number in redeemed:
                return redeemed[number]
    return None
