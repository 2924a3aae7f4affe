"""What I-REC conversion sends on chain, as chain-outbox handlers:

- `confirmIrec` of a certificate whose serials the registry assigned: it records them and the CID of the metadata
  document naming them, and moves the tokens from the provisional account to the beneficiary;
- `releaseProvisional` of a certificate an admin released as D-REC (ADR 0110): its released Wh go to the
  beneficiary as plain D-REC, never to be I-REC.

Each is written once even if a worker dies after its transaction was mined: a certificate the contract no longer
holds as provisional was confirmed already, and one it holds no longer, or only partly, was released already;
such an entry is marked done without a second transaction.
"""

import uuid
from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session

from dapp.chain import calls, outbox
from dapp.chain.sending import Effects, Handler, Prepared, Run, try_once
from dapp.irec import notices
from dapp.irec.service import conversion
from dapp.models.chain import OutboxEntry, OutboxKind
from dapp.models.irec import IrecCertificate
from dapp.models.issuance import Certificate


def send_confirmations(run: Run) -> int:
    """Confirm the next due certificate on chain; returns 1, or 0 when none is due."""
    return try_once(run, partial(_due, run, OutboxKind.CONFIRM_IREC), partial(_confirmation, run))


def send_releases(run: Run) -> int:
    """Release the next due certificate on chain; returns 1, or 0 when none is due."""
    return try_once(run, partial(_due, run, OutboxKind.RELEASE_PROVISIONAL), partial(_release, run))


def _due(run: Run, kind: str, session: Session, now: datetime) -> list[OutboxEntry]:
    return outbox.claim_due(session, kind, 1, now, exclude=run.failed)


def _subject(session: Session, entries: list[OutboxEntry]) -> tuple[IrecCertificate, int]:
    [entry] = entries
    state = session.get_one(IrecCertificate, uuid.UUID(entry.subject_id))
    return state, int(session.get_one(Certificate, state.certificate_id).token_id)


def _confirmation(run: Run, session: Session, entries: list[OutboxEntry], now: datetime) -> Prepared | None:
    state, token_id = _subject(session, entries)
    if not calls.is_provisional(run.chain, token_id):
        outbox.mark_done(entries, now, None, None)
        return None
    assert state.serial_start is not None
    assert state.serial_end is not None
    assert state.metadata_cid is not None
    call = calls.confirm_irec(run.chain, token_id, state.serial_start, state.serial_end, state.metadata_cid)
    return Prepared(call, entries)


def _confirmed(session: Session, entries: list[OutboxEntry], tx_hash: str, now: datetime) -> None:
    for entry in entries:
        state = session.get_one(IrecCertificate, uuid.UUID(entry.subject_id))
        state.confirm_tx_hash = tx_hash
        notices.serials_confirmed(session, session.get_one(Certificate, state.certificate_id), state, tx_hash, now)


def _release(run: Run, session: Session, entries: list[OutboxEntry], now: datetime) -> Prepared | None:
    state, token_id = _subject(session, entries)
    if not calls.is_provisional(run.chain, token_id) or calls.is_partly_released(run.chain, token_id):
        outbox.mark_done(entries, now, None, None)
        conversion.after_release(session, state.certificate_id, None, now)
        return None
    assert state.released_wh is not None
    return Prepared(calls.release_provisional(run.chain, token_id, state.released_wh), entries)


def _released(session: Session, entries: list[OutboxEntry], tx_hash: str, now: datetime) -> None:
    for entry in entries:
        conversion.after_release(session, uuid.UUID(entry.subject_id), tx_hash, now)


CONFIRMATIONS = Handler("irec_confirmations", (OutboxKind.CONFIRM_IREC,), send_confirmations, Effects(done=_confirmed))
RELEASES = Handler("irec_releases", (OutboxKind.RELEASE_PROVISIONAL,), send_releases, Effects(done=_released))
