"""Submission of the chain outbox: certificate mints in batches, reservation-log entries.

Safe to run again after a crash: certificates the contract already knows are marked done without a new
transaction (the contract refuses a certificate key twice anyway).
"""

import uuid
from datetime import datetime

from eth_utils import keccak
from sqlalchemy.orm import Session
from web3 import Web3

from dapp.chain import outbox
from dapp.chain.contracts import Chain
from dapp.chain.models import OutboxEntry, OutboxKind
from dapp.ipfs import ContentStore, add_json, canonical_json
from dapp.issuance import metadata
from dapp.issuance.models import Certificate
from dapp.reservations.models import Reservation


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


def _certificate_data(c: Certificate) -> tuple:
    return (
        bytes.fromhex(c.certificate_key[2:]),
        chain_address(c.owner_address),
        c.volume_wh,
        int(c.generation_start.timestamp()),
        int(c.generation_end.timestamp()),
        c.reservation_id.bytes,
        bytes.fromhex(c.contributions_root[2:]),
        c.metadata_cid,
    )


def chain_address(address: str) -> str:
    return Web3.to_checksum_address(address)


def devices_document(reservation: Reservation) -> dict[str, object]:
    """The reservation's device list as published in IPFS; its keccak256 is logged on chain."""
    return {"reservation_id": str(reservation.id), "device_ids": sorted(str(m.device_id) for m in reservation.members)}


def submit_reservation_logs(session: Session, chain: Chain, content: ContentStore, now: datetime) -> int:
    """Write pending reservation creations to the ReservationLog contract, one transaction each."""
    contract = chain.contract("ReservationLog")
    entries = outbox.claim_pending(session, OutboxKind.LOG_RESERVATION_CREATED, 20)
    for entry in entries:
        _log_created(session, chain, contract, content, entry, now)
    return len(entries)


def _log_created(
    session: Session,
    chain: Chain,
    contract,
    content: ContentStore,
    entry: OutboxEntry,
    now: datetime,
) -> None:
    reservation = session.get_one(Reservation, uuid.UUID(entry.subject_id))
    document = devices_document(reservation)
    cid = add_json(content, document)
    devices_hash = keccak(canonical_json(document))
    receipt = chain.transact(
        contract.functions.logCreated(
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
    )
    outbox.mark_done([entry], now, "0x" + receipt["transactionHash"].hex().removeprefix("0x"), receipt["gasUsed"])
