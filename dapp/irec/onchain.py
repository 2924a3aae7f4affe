"""What I-REC conversion sends on chain, as a chain-outbox handler: `confirmIrec` of a certificate whose serials
the registry assigned, which records them and moves the tokens from the provisional account to the beneficiary.

A certificate the contract no longer holds as provisional was confirmed already (a worker died after the
transaction was mined): its entry is marked done without a second transaction, so the serials are written once.
"""

import uuid
from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session

from dapp.chain import calls, outbox
from dapp.chain.sending import Effects, Handler, Prepared, Run, try_once
from dapp.irec import notices
from dapp.models.chain import OutboxEntry, OutboxKind
from dapp.models.irec import IrecCertificate
from dapp.models.issuance import Certificate


def send_confirmations(run: Run) -> int:
    """Confirm the next due certificate on chain; returns 1, or 0 when none is due."""
    return try_once(run, partial(_due, run), partial(_confirmation, run))


def _due(run: Run, session: Session, now: datetime) -> list[OutboxEntry]:
    return outbox.claim_due(session, OutboxKind.CONFIRM_IREC, 1, now, exclude=run.failed)


def _confirmation(run: Run, session: Session, entries: list[OutboxEntry], now: datetime) -> Prepared | None:
    [entry] = entries
    state = session.get_one(IrecCertificate, uuid.UUID(entry.subject_id))
    token_id = int(session.get_one(Certificate, state.certificate_id).token_id)
    if not calls.is_provisional(run.chain, token_id):
        outbox.mark_done(entries, now, None, None)
        return None
    assert state.serial_start is not None
    assert state.serial_end is not None
    return Prepared(calls.confirm_irec(run.chain, token_id, state.serial_start, state.serial_end), entries)


def _confirmed(session: Session, entries: list[OutboxEntry], tx_hash: str, now: datetime) -> None:
    for entry in entries:
        state = session.get_one(IrecCertificate, uuid.UUID(entry.subject_id))
        state.confirm_tx_hash = tx_hash
        notices.serials_confirmed(session, session.get_one(Certificate, state.certificate_id), state, tx_hash, now)


CONFIRMATIONS = Handler("irec_confirmations", (OutboxKind.CONFIRM_IREC,), send_confirmations, Effects(done=_confirmed))
