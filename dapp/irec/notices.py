"""In-app notifications (emailed to members) and webhook events (`irec.*`, docs/webhooks.md) of I-REC conversion:
a group's registration decided, an issue request decided, a certificate issued as I-REC and its serials confirmed on
chain, a redemption done or refused. Each is written in the transaction of the change it announces."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp import events
from dapp.models.irec import IrecCertificate, IrecDeviceGroup, IrecIssueRequest, IrecRedemption
from dapp.models.issuance import Certificate
from dapp.models.reservations import Reservation
from dapp.notify import service as notify


def group_decided(session: Session, group: IrecDeviceGroup, now: datetime) -> None:
    reason = f" The registry's reason: {group.registration_reason}" if group.registration_reason else ""
    notify.notify(
        session, group.organization_id, f"irec.group_{group.registration_status}",
        f"I-REC device group {group.name} {group.registration_status}",
        f"The I-REC registry {group.registration_status} the device group {group.name}.{reason}", now,
    )  # fmt: skip
    data = {
        "group_id": group.id, "name": group.name, "registry_id": group.registry_id,
        "status": group.registration_status, "reason": group.registration_reason, "decided_at": group.decided_at,
    }  # fmt: skip
    events.emit(session, group.organization_id, f"irec.group_{group.registration_status}", data, now)


def certificates_issued(session: Session, certificate_ids: list[uuid.UUID], serials: str, now: datetime) -> None:
    _tell_buyers(
        session, certificate_ids, "irec.certificate_issued", "Certificate issued as I-REC",
        "{count} certificate(s) were issued as I-REC (" + serials + "); the tokens move to your account.", now,
    )  # fmt: skip


def request_rejected(session: Session, certificate_ids: list[uuid.UUID], reason: str, now: datetime) -> None:
    _tell_buyers(
        session, certificate_ids, "irec.request_rejected", "I-REC issue request rejected",
        "The I-REC registry rejected a request holding {count} of your certificate(s): " + reason + ". They stay "
        "provisional until the platform retries the request.", now,
    )  # fmt: skip


def request_decided(
    session: Session, request: IrecIssueRequest, certificate_ids: list[uuid.UUID], now: datetime
) -> None:
    """`irec.request_approved` or `irec.request_rejected` to each buyer whose certificates the request holds."""
    for buyer_id, theirs in _by_buyer(session, certificate_ids).items():
        data = {
            "request_id": request.id, "registry_id": request.registry_id, "volume_mwh": request.volume_mwh,
            "approved_mwh": request.approved_mwh, "serial_start": request.serial_start,
            "serial_end": request.serial_end, "reason": request.reason, "certificate_ids": theirs,
        }  # fmt: skip
        events.emit(session, buyer_id, f"irec.request_{request.status}", data, now)


def serials_confirmed(
    session: Session, certificate: Certificate, state: IrecCertificate, tx_hash: str, now: datetime
) -> None:
    """`irec.serials_confirmed`: the certificate's serials are on chain and its tokens at the buyer."""
    data = {
        "certificate_id": certificate.id, "token_id": certificate.token_id, "serial_start": state.serial_start,
        "serial_end": state.serial_end, "metadata_cid": state.metadata_cid, "tx_hash": tx_hash,
    }  # fmt: skip
    for buyer_id in _by_buyer(session, [certificate.id]):
        events.emit(session, buyer_id, "irec.serials_confirmed", data, now)


def _tell_buyers(
    session: Session, certificate_ids: list[uuid.UUID], kind: str, title: str, body: str, now: datetime
) -> None:
    """Notify each buyer organization of the certificates; `{count}` in `body` becomes how many are theirs."""
    for buyer_id, count in _buyers(session, certificate_ids).items():
        notify.notify(session, buyer_id, kind, title, body.replace("{count}", str(count)), now)


def redemption_decided(session: Session, redemption: IrecRedemption, now: datetime) -> None:
    outcome = "redeemed as I-REC" if redemption.status == "redeemed" else f"not redeemed: {redemption.reason}"
    notify.notify(
        session, redemption.organization_id, f"irec.redemption_{redemption.status}", "I-REC redemption",
        f"Your certificate was {outcome}.", now, link=f"/irec/redemptions/{redemption.id}",
    )  # fmt: skip
    data = {
        "redemption_id": redemption.id, "certificate_id": redemption.certificate_id, "status": redemption.status,
        "reason": redemption.reason, "beneficiary": redemption.beneficiary,
        "references": [s["reference"] for s in redemption.statements], "claim_id": redemption.claim_id,
    }  # fmt: skip
    kind = "irec.redemption_completed" if redemption.status == "redeemed" else "irec.redemption_failed"
    events.emit(session, redemption.organization_id, kind, data, now)


def _buyers(session: Session, certificate_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    return {buyer_id: len(theirs) for buyer_id, theirs in _by_buyer(session, certificate_ids).items()}


def _by_buyer(session: Session, certificate_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Buyer organization → its certificates among `certificate_ids`."""
    query = (
        select(Reservation.buyer_organization_id, Certificate.id)
        .join(Certificate, Certificate.reservation_id == Reservation.id)
        .where(Certificate.id.in_(certificate_ids))
        .order_by(Certificate.generation_start, Certificate.id)
    )
    theirs: dict[uuid.UUID, list[uuid.UUID]] = {}
    for buyer_id, certificate_id in session.execute(query):
        theirs.setdefault(buyer_id, []).append(certificate_id)
    return theirs
