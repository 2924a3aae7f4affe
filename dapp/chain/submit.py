"""Submission of the chain outbox: certificate mints in batches, reservation-log entries one by one.

Both go through dapp.chain.sending (transactions recorded before they are broadcast, one retry policy); the
contract refuses a certificate key twice, and certificates it already knows are marked done without a new
transaction.
"""

import uuid
from datetime import datetime
from functools import partial
from typing import Any

from eth_utils import keccak
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased
from web3 import Web3
from web3.contract import Contract

from dapp.chain import outbox
from dapp.chain.certificate_data import metadata_cid_fields
from dapp.chain.contracts import Chain
from dapp.chain.models import OutboxEntry, OutboxKind, OutboxStatus
from dapp.chain.sending import Effects, Prepared, Run, prepare, try_once
from dapp.ipfs import ContentStore, add_json, canonical_json
from dapp.issuance import metadata
from dapp.issuance.models import Certificate
from dapp.reservations.models import ChangeKind, ReservationChange


def submit_mints(run: Run, content: ContentStore, batch_size: int) -> int:
    """Mint up to `batch_size` due certificates in one `issueBatch`; returns how many entries were handled."""
    pick = partial(_due_of_kind, run, OutboxKind.MINT_CERTIFICATE, batch_size)
    return try_once(run, pick, partial(_mint_batch, run, content))


def prepare_mints(run: Run, content: ContentStore, batch_size: int) -> int | None:
    """Step 1 of a mint try alone: the batch's transaction signed and recorded, not broadcast (what a worker
    killed right after that commit leaves behind); returns the transaction's id, None if none was needed."""
    pick = partial(_due_of_kind, run, OutboxKind.MINT_CERTIFICATE, batch_size)
    return prepare(run, pick, partial(_mint_batch, run, content))[1]


def _due_of_kind(run: Run, kind: str, limit: int, session: Session, now: datetime) -> list[OutboxEntry]:
    return outbox.claim_due(session, kind, limit, now, exclude=run.failed)


def _mint_batch(
    run: Run, content: ContentStore, session: Session, entries: list[OutboxEntry], now: datetime
) -> Prepared | None:
    """The `issueBatch` call of the entries' certificates that the contract does not know yet."""
    contract = run.chain.contract("DrecCertificates")
    certificates = {e.id: session.get_one(Certificate, uuid.UUID(e.subject_id)) for e in entries}
    known = [e for e in entries if contract.functions.isIssued(int(certificates[e.id].token_id)).call()]
    outbox.mark_done(known, now, None, None)
    fresh = [e for e in entries if e not in known]
    if not fresh:
        return None
    data = []
    for entry in fresh:
        certificate = certificates[entry.id]
        certificate.metadata_cid = add_json(content, metadata.document(session, certificate))
        data.append(_certificate_data(certificate))
    parts = [(e.id, contract.functions.issueBatch([d])) for e, d in zip(fresh, data, strict=True)]
    return Prepared(contract.functions.issueBatch(data), fresh, parts=parts)


def _minted(session: Session, entries: list[OutboxEntry], tx_hash: str, _now: datetime) -> None:
    for entry in entries:
        session.get_one(Certificate, uuid.UUID(entry.subject_id)).mint_tx_hash = tx_hash


MINT_EFFECTS = Effects(done=_minted)


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


def submit_reservation_log(run: Run, content: ContentStore) -> int:
    """Write the next due reservation-log entry (created, devices changed, ended) to the ReservationLog contract;
    returns 1, or 0 when none is due.

    A reservation's entries reach the chain in the order they were made: an entry waits while an earlier one
    of its reservation is not done (backing off, in flight or failed).
    """
    return try_once(run, partial(_next_log, run), partial(_log_entry, run.chain, content))


def _next_log(run: Run, session: Session, now: datetime) -> list[OutboxEntry]:
    earlier, earlier_change = aliased(OutboxEntry), aliased(ReservationChange)
    blocked = exists().where(
        earlier_change.reservation_id == ReservationChange.reservation_id,
        earlier_change.outbox_entry_id == earlier.id,
        earlier.id < OutboxEntry.id,
        earlier.status != OutboxStatus.DONE,
    )
    query = (
        select(OutboxEntry)
        .join(ReservationChange, ReservationChange.outbox_entry_id == OutboxEntry.id)
        .where(OutboxEntry.kind.in_(RESERVATION_LOG_KINDS), OutboxEntry.id.not_in(run.failed), ~blocked)
    )
    query = outbox.due(query, now).order_by(OutboxEntry.id).limit(1)
    return list(session.scalars(query.with_for_update(of=OutboxEntry, skip_locked=True)))


def _log_entry(
    chain: Chain, content: ContentStore, session: Session, entries: list[OutboxEntry], _now: datetime
) -> Prepared:
    [entry] = entries
    return Prepared(_log_call(session, chain.contract("ReservationLog"), content, entry), entries)


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
