"""Custodial transfers of certificates (R-ISS-10): from the organization's managed account to an address, or to
another organization of the platform (its bound wallet, else its managed account). Sent by the chain worker;
shown as transferred once the indexer recorded the transfer (see ADR 0055)."""

import uuid
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.chain.accounts import ZERO_ADDRESS, checked_address
from dapp.errors import field_error
from dapp.issuance.schemas import TransferCreate, TransferRead
from dapp.issuance.service.custody import Custody, held_certificate, record, require_volume, shown_status
from dapp.issuance.service.listing import buyer_certificate
from dapp.models.accounts import Organization
from dapp.models.chain import ChainEvent, OutboxKind, TokenTransfer
from dapp.models.issuance import CertificateTransfer, HeldStatus


def request_transfer(
    session: Session, actor: Actor, now: datetime, certificate_id: uuid.UUID, data: TransferCreate
) -> CertificateTransfer:
    """Record a transfer of part of a certificate held in the actor's managed account; a chain worker sends it."""
    custody = held_certificate(session, actor, certificate_id)
    to_address, recipient = _recipient(session, custody, data)
    require_volume(custody, data.volume_wh, "transfer_exceeds_balance", "transferred")
    transfer = CertificateTransfer(
        certificate_id=custody.certificate.id,
        organization_id=actor.organization_id,
        holder_address=custody.organization.blockchain_address,
        volume_wh=data.volume_wh,
        to_address=to_address,
        recipient_organization_id=recipient.id if recipient else None,
        created_at=now,
        status=HeldStatus.PENDING,
    )
    summary = {"to": to_address, "recipient_organization_id": transfer.recipient_organization_id}
    record(session, actor, transfer, OutboxKind.TRANSFER_CERTIFICATE, "certificate.transfer", now, summary)
    return transfer


def _recipient(session: Session, custody: Custody, data: TransferCreate) -> tuple[str, Organization | None]:
    """The receiving address, and the platform organization it belongs to (if any)."""
    if data.to_organization is not None:
        recipient = session.scalar(
            select(Organization).where(func.lower(Organization.name) == data.to_organization.strip().lower())
        )
        if recipient is None or recipient.certificate_address is None:
            raise field_error(
                "to_organization",
                f"No organization named '{data.to_organization}' on the platform.",
                "unknown_organization",
            )
        to_address = recipient.certificate_address
    else:
        assert data.to_address is not None
        to_address = checked_address("to_address", data.to_address)
        recipient = _organization_at(session, to_address)
    field_name = "to_organization" if data.to_organization is not None else "to_address"
    if to_address.lower() in (ZERO_ADDRESS, (custody.organization.blockchain_address or "").lower()):
        raise field_error(field_name, "The certificate is already in this account: name another one.", "same_account")
    return to_address, recipient


def _organization_at(session: Session, address: str) -> Organization | None:
    return session.scalar(
        select(Organization).where(
            or_(
                func.lower(Organization.blockchain_address) == address.lower(),
                func.lower(Organization.bound_wallet_address) == address.lower(),
            )
        )
    )


def transfers_of(session: Session, actor: Actor, certificate_id: uuid.UUID) -> list[TransferRead]:
    """The organization's transfers of one certificate, oldest first, with their status as indexed."""
    certificate = buyer_certificate(session, actor, certificate_id)
    indexed = (
        select(ChainEvent.tx_hash)
        .join(TokenTransfer, TokenTransfer.event_id == ChainEvent.id)
        .where(TokenTransfer.token_id == certificate.token_id)
    )
    rows = session.execute(
        select(CertificateTransfer, Organization.name, CertificateTransfer.tx_hash.in_(indexed))
        .outerjoin(Organization, Organization.id == CertificateTransfer.recipient_organization_id)
        .where(
            CertificateTransfer.certificate_id == certificate.id,
            CertificateTransfer.organization_id == actor.organization_id,
        )
        .order_by(CertificateTransfer.created_at)
    )
    return [transfer_read(transfer, name, bool(is_indexed)) for transfer, name, is_indexed in rows]


def transfer_read(transfer: CertificateTransfer, recipient: str | None, is_indexed: bool) -> TransferRead:
    """A transfer as shown: 'transferred' once the indexer recorded its TransferSingle event (R-IDX-1)."""
    status = shown_status(transfer, is_indexed, "transferred")
    return TransferRead.model_validate(transfer).model_copy(
        update={"recipient_organization": recipient, "status": status}
    )


def requested_read(session: Session, transfer: CertificateTransfer) -> TransferRead:
    """A transfer just requested (not sent, so not indexed)."""
    recipient = (
        session.get(Organization, transfer.recipient_organization_id) if transfer.recipient_organization_id else None
    )
    return transfer_read(transfer, recipient.name if recipient else None, is_indexed=False)
