"""Platform admins watch the chain outbox (R-ISS-6): entries that failed, back off after a failed try, or wait
for their transaction's receipt; and retry a failed or backing-off entry now. Every retry is audited in the log
of the organization the entry's subject belongs to."""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.access.permissions import PlatformAdmin
from dapp.admin.errors import OutboxEntryDone, OutboxEntryInFlight, OutboxEntryNotFound
from dapp.admin.schemas import OutboxEntryRead, OutboxSubject
from dapp.audit import service as audit
from dapp.chain import jobs, outbox
from dapp.models.accounts import Organization
from dapp.models.chain import OutboxEntry, OutboxKind, OutboxStatus
from dapp.models.issuance import Certificate, CertificateTransfer, Claim
from dapp.models.reservations import Reservation, ReservationChange
from dapp.platform import enqueue_after_commit

LIST_LIMIT = 500  # an outage can put thousands of entries in backoff: the oldest are the ones to look at


STATES = (OutboxStatus.PENDING, OutboxStatus.SENT, OutboxStatus.DONE, OutboxStatus.FAILED)


def entries_needing_attention(session: Session) -> list[OutboxEntryRead]:
    """Failed, backing-off and in-flight entries, the oldest 500, each with what it is about."""
    return _reads(session, outbox.needing_attention(session, LIST_LIMIT))


def entries_in_state(session: Session, status: str) -> list[OutboxEntryRead]:
    """The newest 500 entries in one state (pending, sent, done or failed), each with what it is about."""
    scope = select(OutboxEntry).where(OutboxEntry.status == status).order_by(OutboxEntry.id.desc())
    return _reads(session, list(session.scalars(scope.limit(LIST_LIMIT))))


def _reads(session: Session, entries: list[OutboxEntry]) -> list[OutboxEntryRead]:
    subjects = _subjects(session, entries)
    return [_read(entry, subjects.get(entry.id)) for entry in entries]


def retry_entry(session: Session, admin: PlatformAdmin | None, now: datetime, entry_id: int) -> OutboxEntryRead:
    """Make a failed or backing-off entry due now with a fresh budget of attempts. An entry in flight cannot be
    retried: its transaction may still be mined, and only its receipt (or nonce) may decide. `admin` is None for
    the operator at the command line (`drec outbox retry`)."""
    entry = session.get(OutboxEntry, entry_id, with_for_update=True)
    if entry is None:
        raise OutboxEntryNotFound("There is no chain-outbox entry with this id.")
    if entry.status == OutboxStatus.SENT:
        raise OutboxEntryInFlight(
            f"Its transaction {entry.tx_hash} is in flight; the chain job settles it by its receipt.",
        )
    if entry.status == OutboxStatus.DONE:
        raise OutboxEntryDone("This entry is done: there is nothing to retry.")
    before = {"status": entry.status, "attempts": entry.attempts, "next_attempt_at": entry.next_attempt_at}
    outbox.reset_for_retry(entry)
    jobs.effects(entry.kind).retried(session, [entry])
    enqueue_after_commit(session, "chain.submit_outbox")
    subject = _subjects(session, [entry]).get(entry.id)
    audit.record(
        session,
        admin,
        "chain_outbox.retry",
        "chain_outbox",
        entry.id,
        before={**before, "last_error": entry.last_error},
        after={"status": entry.status, "attempts": entry.attempts, "next_attempt_at": None},
        now=now,
        organization_id=subject.organization_id if subject else None,
    )
    return _read(entry, subject)


def _read(entry: OutboxEntry, subject: OutboxSubject | None) -> OutboxEntryRead:
    return OutboxEntryRead(
        id=entry.id,
        kind=entry.kind,
        status=entry.status,
        attempts=entry.attempts,
        last_error=entry.last_error,
        next_attempt_at=entry.next_attempt_at,
        tx_hash=entry.tx_hash,
        created_at=entry.created_at,
        subject=subject,
    )


def _subjects(session: Session, entries: list[OutboxEntry]) -> dict[int, OutboxSubject]:
    """Entry id → its subject, four queries whatever the number of entries."""
    by_kind: dict[str, dict[uuid.UUID, int]] = {}
    for entry in entries:
        group = "log" if entry.kind.startswith("log_reservation") else entry.kind
        by_kind.setdefault(group, {})[uuid.UUID(entry.subject_id)] = entry.id
    certificate_kinds = (
        OutboxKind.MINT_CERTIFICATE,
        OutboxKind.MINT_PROVISIONAL,
        OutboxKind.CONFIRM_IREC,
        OutboxKind.RELEASE_PROVISIONAL,
    )
    found = _certificates(session, {k: v for kind in certificate_kinds for k, v in by_kind.get(kind, {}).items()})
    found |= _claims(session, by_kind.get(OutboxKind.CLAIM_CERTIFICATE, {}))
    found |= _transfers(session, by_kind.get(OutboxKind.TRANSFER_CERTIFICATE, {}))
    found |= _reservation_changes(session, by_kind.get("log", {}))
    return found


def _certificates(session: Session, entry_of: dict[uuid.UUID, int]) -> dict[int, OutboxSubject]:
    rows = session.execute(
        select(Certificate, Organization.name)
        .join(Organization, Organization.id == Certificate.beneficiary_organization_id)
        .where(Certificate.id.in_(entry_of))
    )
    return {
        entry_of[c.id]: OutboxSubject(
            type="certificate",
            id=c.id,
            label=f"Certificate of {c.volume_wh:,} Wh, {c.country_code}, window {c.window_start:%Y-%m-%d %H:%M} UTC",
            certificate_id=c.id,
            token_id=c.token_id,
            reservation_id=c.reservation_id,
            organization_id=c.beneficiary_organization_id,
            organization_name=name,
        )
        for c, name in rows
    }


def _claims(session: Session, entry_of: dict[uuid.UUID, int]) -> dict[int, OutboxSubject]:
    return _held(session, Claim, "claim", entry_of, lambda c: f"Claim of {c.volume_wh:,} Wh for {c.beneficiary}")


def _transfers(session: Session, entry_of: dict[uuid.UUID, int]) -> dict[int, OutboxSubject]:
    return _held(session, CertificateTransfer, "transfer", entry_of, _transfer_label)


def _transfer_label(transfer: CertificateTransfer) -> str:
    return f"Transfer of {transfer.volume_wh:,} Wh to {transfer.to_address}"


def _held(
    session: Session,
    model: type[Claim] | type[CertificateTransfer],
    subject_type: str,
    entry_of: dict[uuid.UUID, int],
    label: Callable[[Any], str],
) -> dict[int, OutboxSubject]:
    """Custodial operations (claims, transfers) with their certificate's token id and organization's name."""
    rows = session.execute(
        select(model, Certificate.token_id, Organization.name)
        .join(Certificate, Certificate.id == model.certificate_id)
        .join(Organization, Organization.id == model.organization_id)
        .where(model.id.in_(entry_of))
    )
    return {
        entry_of[operation.id]: OutboxSubject(
            type=subject_type,
            id=operation.id,
            label=label(operation),
            certificate_id=operation.certificate_id,
            token_id=token_id,
            organization_id=operation.organization_id,
            organization_name=name,
        )
        for operation, token_id, name in rows
    }


def _reservation_changes(session: Session, entry_of: dict[uuid.UUID, int]) -> dict[int, OutboxSubject]:
    rows = session.execute(
        select(ReservationChange, Reservation, Organization.name)
        .join(Reservation, Reservation.id == ReservationChange.reservation_id)
        .join(Organization, Organization.id == Reservation.buyer_organization_id)
        .where(ReservationChange.id.in_(entry_of))
    )
    return {
        entry_of[change.id]: OutboxSubject(
            type="reservation",
            id=reservation.id,
            label=f"Reservation {reservation.name}: {change.kind.replace('_', ' ')}",
            reservation_id=reservation.id,
            organization_id=reservation.buyer_organization_id,
            organization_name=name,
        )
        for change, reservation, name in rows
    }


def failed_entry_ids(session: Session) -> list[int]:
    """Every entry given up, oldest first (`drec outbox retry --failed`)."""
    return list(
        session.scalars(
            select(OutboxEntry.id).where(OutboxEntry.status == OutboxStatus.FAILED).order_by(OutboxEntry.id)
        )
    )
