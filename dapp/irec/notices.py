"""In-app notifications (emailed to members) of I-REC events: a group's registration decided, a certificate
issued as I-REC, an issue request rejected, a redemption done or refused."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.models.irec import IrecDeviceGroup, IrecRedemption
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
        f"Your certificate was {outcome}.", now,
    )  # fmt: skip


def _buyers(session: Session, certificate_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    query = (
        select(Reservation.buyer_organization_id)
        .join(Certificate, Certificate.reservation_id == Reservation.id)
        .where(Certificate.id.in_(certificate_ids))
    )
    counts: dict[uuid.UUID, int] = {}
    for buyer_id in session.scalars(query):
        counts[buyer_id] = counts.get(buyer_id, 0) + 1
    return counts
