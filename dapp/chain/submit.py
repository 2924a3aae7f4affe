"""Submission of the chain outbox: certificate mints in batches, reservation-log entries.

Safe to run again after a crash: certificates the contract already knows are marked done without a new
transaction (the contract refuses a certificate key twice anyway).
"""

import uuid
from datetime import datetime
from typing import Any

import requests
from eth_utils import keccak
from sqlalchemy import select
from sqlalchemy.orm import Session
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import Web3Exception

from dapp.chain import outbox
from dapp.chain.certificate_data import metadata_cid_fields
from dapp.chain.contracts import Chain, ChainUnavailable
from dapp.chain.models import OutboxEntry, OutboxKind, OutboxStatus
from dapp.ipfs import ContentStore, ContentStoreError, add_json, canonical_json
from dapp.issuance import metadata
from dapp.issuance.models import Certificate
from dapp.reservations.models import ChangeKind, ReservationChange


def submit_mints(session: Session, chain: Chain, content: ContentStore, batch_size: int, now: datetime) -> int:
    """Mint up to `batch_size` pending certificates in one `issueBatch`; returns how many entries were handled."""
    entries = outbox.claim_pending(session, OutboxKind.MINT_CERTIFICATE, batch_size)
    if not entries:
        return 0
    contract = chain.contract("DrecCertificates")
    certificates = [session.get_one(Certificate, uuid.UUID(e.subject_id)) for e in entries]
    for certificate in certificates:
        certificate.metadata_cid = add_json(content, metadata.document(session, certificate))
    fresh = [c for c in certificates if not contract.functions.isIssued(int(c.token_id)).call()]
    if not fresh:
        outbox.mark_done(entries, now, None, None)
        return len(entries)
    receipt = chain.transact(contract.functions.issueBatch([_certificate_data(c) for c in fresh]))
    tx_hash = "0x" + receipt["transactionHash"].hex().removeprefix("0x")
    for certificate in fresh:
        certificate.mint_tx_hash = tx_hash
    outbox.mark_done(entries, now, tx_hash, receipt["gasUsed"])
    return len(entries)


def _certificate_data(c: Certificate) -> tuple[Any, ...]:
    assert c.metadata_cid is not None
    return (
        bytes.fromhex(c.certificate_key[2:]),
        chain_address(c.owner_address),
        c.volume_wh,
        int(c.generation_start.timestamp()),
        int(c.generation_end.timestamp()),
        c.reservation_id.bytes,
        bytes.fromhex(c.contributions_root[2:]),
        *metadata_cid_fields(c.metadata_cid),
    )


def chain_address(address: str) -> str:
    return Web3.to_checksum_address(address)


RESERVATION_LOG_KINDS = (
    OutboxKind.LOG_RESERVATION_CREATED,
    OutboxKind.LOG_RESERVATION_DEVICES_CHANGED,
    OutboxKind.LOG_RESERVATION_ENDED,
)
LOG_BATCH = 20


def submit_reservation_logs(session: Session, chain: Chain, content: ContentStore, now: datetime) -> int:
    """Write pending reservation-log entries (created, devices changed, ended) to the ReservationLog contract, in
    the order they were made, one transaction each; returns how many were written.

    A failed transaction stops the batch (so that a reservation's entries reach the chain in order) and stays
    pending with its error; the entries written before it are kept.
    """
    contract = chain.contract("ReservationLog")
    entries = _claim_reservation_logs(session)
    for written, entry in enumerate(entries):
        try:
            receipt = chain.transact(_log_call(session, contract, content, entry))
        except (ChainUnavailable, ContentStoreError, Web3Exception, requests.RequestException) as error:
            entry.attempts += 1
            entry.last_error = f"{type(error).__name__}: {error}"[:1000]
            return written
        outbox.mark_done([entry], now, "0x" + receipt["transactionHash"].hex().removeprefix("0x"), receipt["gasUsed"])
    return len(entries)


def _claim_reservation_logs(session: Session) -> list[OutboxEntry]:
    return list(
        session.scalars(
            select(OutboxEntry)
            .where(OutboxEntry.kind.in_(RESERVATION_LOG_KINDS), OutboxEntry.status == OutboxStatus.PENDING)
            .order_by(OutboxEntry.id)
            .limit(LOG_BATCH)
            .with_for_update(skip_locked=True)
        )
    )


def _log_call(session: Session, contract: Contract, content: ContentStore, entry: OutboxEntry) -> Any:
    """The ReservationLog call of one change; its device list is published in IPFS (CID and keccak256 on chain)."""
    change = session.get_one(ReservationChange, uuid.UUID(entry.subject_id))
    reservation = change.reservation
    if change.kind == ChangeKind.ENDED:
        assert change.ended_at is not None
        return contract.functions.logEnded(reservation.id.bytes, int(change.ended_at.timestamp()))
    assert change.document is not None
    cid = add_json(content, change.document)
    devices_hash = keccak(canonical_json(change.document))
    if change.kind == ChangeKind.DEVICES_CHANGED:
        return contract.functions.logDevicesChanged(reservation.id.bytes, devices_hash, cid)
    return contract.functions.logCreated(
        reservation.id.bytes,
        chain_address(reservation.wallet_address),
        int(reservation.period_start.timestamp()),
        int(reservation.period_end.timestamp()),
        reservation.frequency,
        reservation.target_wh or 0,
        reservation.authority_to_exceed,
        devices_hash,
        cid,
    )
