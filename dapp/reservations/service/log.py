"""The reservation log (R-RES-8): every creation, device change and end becomes a `ReservationChange` and a
chain-outbox entry in the same transaction; a chain worker writes it to the ReservationLog contract.

The device list of a change is a JSON document published in IPFS; the chain records its CID and the keccak256
of its canonical bytes, so anyone can check the list against the log.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp import events
from dapp.chain import outbox
from dapp.ipfs import canonical_json, cid_for_bytes
from dapp.keccak import keccak256
from dapp.models.chain import ChainEvent, OutboxEntry, OutboxKind, OutboxStatus
from dapp.models.reservations import ChangeKind, Reservation, ReservationChange
from dapp.reservations.errors import iso

EVENT_KINDS = {
    ChangeKind.CREATED: "reservation.created",
    ChangeKind.DEVICES_CHANGED: "reservation.changed",
    ChangeKind.ENDED: "reservation.ended",
}
OUTBOX_KINDS = {
    ChangeKind.CREATED: OutboxKind.LOG_RESERVATION_CREATED,
    ChangeKind.DEVICES_CHANGED: OutboxKind.LOG_RESERVATION_DEVICES_CHANGED,
    ChangeKind.ENDED: OutboxKind.LOG_RESERVATION_ENDED,
}


def devices_document(
    reservation_id: uuid.UUID,
    device_ids: Iterable[uuid.UUID],
    added: dict[uuid.UUID, datetime] | None = None,
    removed: dict[uuid.UUID, datetime] | None = None,
    *,
    issuance_zone: str | None = None,
) -> dict[str, Any]:
    """The device list after a change; a change also says from when added devices count and until when
    removed ones do. The creation's list also names the issuance time zone, which the contract's event does not
    carry, so that auditors can check the alignment of every certificate's window."""
    document: dict[str, Any] = {
        "reservation_id": str(reservation_id),
        "device_ids": sorted(str(device_id) for device_id in device_ids),
    }
    if issuance_zone is not None:
        document["issuance_time_zone"] = issuance_zone
    if added is not None:
        document["added"] = _instants(added, "from")
    if removed is not None:
        document["removed"] = _instants(removed, "until")
    return document


def _instants(devices: dict[uuid.UUID, datetime], name: str) -> list[dict[str, str]]:
    return [{"device_id": str(device_id), name: iso(devices[device_id])} for device_id in sorted(devices, key=str)]


def record(
    session: Session,
    reservation: Reservation,
    kind: ChangeKind,
    now: datetime,
    *,
    document: dict[str, Any] | None = None,
    ended_at: datetime | None = None,
) -> ReservationChange:
    """Append a change to the reservation's log, queue it for the chain, and announce it to the buyer's webhooks."""
    change = ReservationChange(
        id=uuid.uuid4(), reservation=reservation, kind=kind.value, document=document, ended_at=ended_at, created_at=now
    )
    session.add(change)
    entry = outbox.enqueue(session, OUTBOX_KINDS[kind], str(change.id), now)
    session.flush()
    change.outbox_entry_id = entry.id
    events.emit(session, reservation.buyer_organization_id, EVENT_KINDS[kind], _event_data(change), now)
    return change


def _event_data(change: ReservationChange) -> dict[str, Any]:
    reservation = change.reservation
    return {
        "reservation_id": reservation.id,
        "name": reservation.name,
        "period_start": reservation.period_start,
        "period_end": reservation.period_end,
        "ended_at": change.ended_at,
        "devices": change.document,
    }


@dataclass(frozen=True)
class LogEntry:
    """A change with its device list's CID and hash, and where it stands on chain."""

    change: ReservationChange
    devices_cid: str | None
    devices_hash: str | None
    chain_status: str
    tx_hash: str | None
    block_number: int | None
    last_error: str | None


def entries(session: Session, reservation: Reservation) -> list[LogEntry]:
    """The reservation's log, oldest first: waiting, retrying, sending (transaction in flight), failed (the retry
    policy gave up; a platform admin can retry it), written (mined) or confirmed (indexed)."""
    changes = list(reservation.changes)
    outbox_ids = [c.outbox_entry_id for c in changes if c.outbox_entry_id is not None]
    sent = {e.id: e for e in session.scalars(select(OutboxEntry).where(OutboxEntry.id.in_(outbox_ids)))}
    tx_hashes = [e.tx_hash for e in sent.values() if e.tx_hash]
    indexed = {
        event.tx_hash: event.block_number
        for event in session.scalars(
            select(ChainEvent).where(ChainEvent.contract == "ReservationLog", ChainEvent.tx_hash.in_(tx_hashes))
        )
    }
    return [_entry(change, sent.get(change.outbox_entry_id or -1), indexed) for change in changes]


def _entry(change: ReservationChange, sent: OutboxEntry | None, indexed: dict[str, int]) -> LogEntry:
    cid = digest = None
    if change.document is not None:
        data = canonical_json(change.document)
        cid, digest = cid_for_bytes(data), "0x" + keccak256(data).hex()
    tx_hash = sent.tx_hash if sent else None
    status = _chain_status(sent, tx_hash in indexed)
    return LogEntry(change, cid, digest, status, tx_hash, indexed.get(tx_hash or ""), sent.last_error if sent else None)


def _chain_status(sent: OutboxEntry | None, indexed: bool) -> str:
    if sent is None:
        return "waiting"
    if indexed:
        return "confirmed"
    return {
        OutboxStatus.DONE: "written",
        OutboxStatus.SENT: "sending",
        OutboxStatus.FAILED: "failed",
    }.get(sent.status, "retrying" if sent.last_error else "waiting")
