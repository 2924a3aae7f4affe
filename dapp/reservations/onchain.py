"""What reservations send on chain, as a chain-outbox handler: the reservation log (R-RES-8), one entry per
change, written to the ReservationLog contract.

A change's device list is published in IPFS; the contract records its CID and the keccak256 of its canonical
bytes. A reservation's entries reach the chain in the order they were made: an entry waits while an earlier one
of its reservation is not done (backing off, in flight or failed).
"""

import uuid
from datetime import datetime
from functools import partial

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from dapp.chain import calls, outbox
from dapp.chain.sending import Handler, Prepared, Run, try_once
from dapp.ipfs import add_json, canonical_json
from dapp.keccak import keccak256
from dapp.models.chain import OutboxEntry, OutboxKind, OutboxStatus
from dapp.models.reservations import ChangeKind, ReservationChange

KINDS = (
    OutboxKind.LOG_RESERVATION_CREATED,
    OutboxKind.LOG_RESERVATION_DEVICES_CHANGED,
    OutboxKind.LOG_RESERVATION_ENDED,
)


def send_log_entry(run: Run) -> int:
    """Write the next due reservation-log entry; returns 1, or 0 when none is due."""
    return try_once(run, partial(_next, run), partial(_entry, run))


def _next(run: Run, session: Session, now: datetime) -> list[OutboxEntry]:
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
        .where(OutboxEntry.kind.in_(KINDS), OutboxEntry.id.not_in(run.failed), ~blocked)
    )
    query = outbox.due(query, now).order_by(OutboxEntry.id).limit(1)
    return list(session.scalars(query.with_for_update(of=OutboxEntry, skip_locked=True)))


def _entry(run: Run, session: Session, entries: list[OutboxEntry], _now: datetime) -> Prepared:
    [entry] = entries
    return Prepared(_call(run, session.get_one(ReservationChange, uuid.UUID(entry.subject_id))), entries)


def _call(run: Run, change: ReservationChange) -> calls.ContractCall:
    """The ReservationLog call of one change; its device list is stored in IPFS first."""
    reservation = change.reservation
    if change.kind == ChangeKind.ENDED:
        assert change.ended_at is not None
        return calls.log_ended(run.chain, reservation.id, change.ended_at)
    assert change.document is not None
    cid = add_json(run.content, change.document)
    devices_hash = keccak256(canonical_json(change.document))
    if change.kind == ChangeKind.DEVICES_CHANGED:
        return calls.log_devices_changed(run.chain, reservation.id, devices_hash, cid)
    created = calls.ReservationOnChain(
        reservation.id,
        reservation.wallet_address,
        reservation.period_start,
        reservation.period_end,
        reservation.frequency,
        reservation.target_wh or 0,
        reservation.authority_to_exceed,
    )
    return calls.log_created(run.chain, created, devices_hash, cid)


LOG = Handler("logged", KINDS, send_log_entry)
