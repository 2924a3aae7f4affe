"""What issuance sends on chain, as chain-outbox handlers: certificate mints in batches, and the custodial claims
and transfers each signed by the organization's managed account.

The chain adapter signs, records and settles the transactions (dapp.chain.sending); these handlers say which
entries are due, which contract call they make, and what the certificate, claim and transfer rows become when
the transaction is mined or refused. The contract refuses a certificate key twice: certificates it already knows
are marked done without a new transaction.
"""

import uuid
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from dapp import events
from dapp.chain import calls, custody, outbox
from dapp.chain.certificate_data import CertificateData
from dapp.chain.contracts import Chain
from dapp.chain.sending import Effects, Handler, Prepared, Run, prepare, try_once
from dapp.ipfs import add_json
from dapp.issuance import metadata
from dapp.issuance.service.claims import claim_data
from dapp.models.accounts import Organization
from dapp.models.chain import OutboxEntry, OutboxKind
from dapp.models.issuance import Certificate, CertificateTransfer, Claim, HeldStatus

MintCall = Callable[[Chain, list[CertificateData]], calls.ContractCall]


def send_mints(run: Run) -> int:
    """Mint up to `run.mint_batch_size` due certificates in one `issueBatch`; returns how many entries were
    handled."""
    return try_once(run, partial(_due, run, OutboxKind.MINT_CERTIFICATE, run.mint_batch_size), partial(_mints, run))


def send_provisional_mints(run: Run) -> int:
    """Mint up to `run.mint_batch_size` due certificates of I-REC reservations to the provisional account in one
    `issueProvisionalBatch` (R-IREC-1); returns how many entries were handled."""
    pick = partial(_due, run, OutboxKind.MINT_PROVISIONAL, run.mint_batch_size)
    return try_once(run, pick, partial(_mints, run, call=calls.issue_provisional_batch))


def prepare_mints(run: Run) -> int | None:
    """Step 1 of a mint try alone: the batch's transaction signed and recorded, not broadcast (what a worker
    killed right after that commit leaves behind); returns the transaction's id, None if none was needed."""
    pick = partial(_due, run, OutboxKind.MINT_CERTIFICATE, run.mint_batch_size)
    return prepare(run, pick, partial(_mints, run))[1]


def _due(run: Run, kind: str, limit: int, session: Session, now: datetime) -> list[OutboxEntry]:
    return outbox.claim_due(session, kind, limit, now, exclude=run.failed)


def _mints(
    run: Run, session: Session, entries: list[OutboxEntry], now: datetime, call: MintCall = calls.issue_batch
) -> Prepared | None:
    """The `issueBatch` (or `call`) of the entries' certificates that the contract does not know yet; their
    metadata documents are stored in IPFS first."""
    certificates = {e.id: session.get_one(Certificate, uuid.UUID(e.subject_id)) for e in entries}
    known = [e for e in entries if calls.is_issued(run.chain, int(certificates[e.id].token_id))]
    outbox.mark_done(known, now, None, None)
    fresh = [e for e in entries if e not in known]
    if not fresh:
        return None
    data = []
    for entry in fresh:
        certificate = certificates[entry.id]
        certificate.metadata_cid = add_json(run.content, metadata.document(session, certificate))
        data.append(certificate_data(certificate))
    parts = [(e.id, call(run.chain, [d])) for e, d in zip(fresh, data, strict=True)]
    return Prepared(call(run.chain, data), fresh, parts=parts)


def certificate_data(c: Certificate) -> CertificateData:
    """What the contract records of a certificate whose metadata document is stored."""
    assert c.metadata_cid is not None
    return CertificateData(
        bytes.fromhex(c.certificate_key[2:]),
        c.owner_address,
        c.volume_wh,
        int(c.generation_start.timestamp()),
        int(c.generation_end.timestamp()),
        c.reservation_id.bytes,
        bytes.fromhex(c.contributions_root[2:]),
        c.metadata_cid,
    )


def _minted(session: Session, entries: list[OutboxEntry], tx_hash: str, _now: datetime) -> None:
    for entry in entries:
        session.get_one(Certificate, uuid.UUID(entry.subject_id)).mint_tx_hash = tx_hash


MINTS = Handler("mint_entries", (OutboxKind.MINT_CERTIFICATE,), send_mints, Effects(done=_minted))
PROVISIONAL_MINTS = Handler(
    "provisional_mint_entries", (OutboxKind.MINT_PROVISIONAL,), send_provisional_mints, Effects(done=_minted)
)


# Custodial operations: a claim or a transfer, signed by the managed account of the organization that asked.
Held = TypeVar("Held", Claim, CertificateTransfer)
HeldCall = Callable[[Run, str, int, Held], calls.ContractCall]  # (run, holder address, token id, row) → call


def _send_held(kind: str, model: type[Held], call: HeldCall[Held], run: Run) -> int:
    """Send the next due operation of `kind`; returns 1, or 0 when none is due."""
    return try_once(run, partial(_due, run, kind, 1), partial(_held, model, call, run))


def _held(
    model: type[Held], call: HeldCall[Held], run: Run, session: Session, entries: list[OutboxEntry], _: datetime
) -> Prepared:
    [entry] = entries
    operation = session.get_one(model, uuid.UUID(entry.subject_id))
    organization = session.get_one(Organization, operation.organization_id)
    assert organization.encrypted_private_key is not None
    holder = custody.managed_signer(run, organization.encrypted_private_key)
    token_id = int(session.get_one(Certificate, operation.certificate_id).token_id)
    return Prepared(call(run, holder.address, token_id, operation), entries, signer=holder)


def _held_effects(model: type[Held]) -> Effects:
    """How the rows of `model` follow their outbox entries: sent once mined, failed when refused or given up
    (the volume they held is free again), pending again when an admin retries them."""

    def operations(session: Session, entries: list[OutboxEntry]) -> list[Held]:
        return [session.get_one(model, uuid.UUID(entry.subject_id)) for entry in entries]

    def sent(session: Session, entries: list[OutboxEntry], tx_hash: str, now: datetime) -> None:
        for operation in operations(session, entries):
            operation.status, operation.tx_hash, operation.sent_at = HeldStatus.SENT, tx_hash, now
            events.emit(session, operation.organization_id, HELD_EVENTS[model], _held_data(operation), now)

    def refused(session: Session, entries: list[OutboxEntry], _now: datetime) -> None:
        for entry, operation in zip(entries, operations(session, entries), strict=True):
            operation.status = HeldStatus.FAILED
            operation.failure = f"The chain did not record it: {entry.last_error}"[:500]

    def reopened(session: Session, entries: list[OutboxEntry]) -> None:
        for operation in operations(session, entries):
            if operation.status == HeldStatus.FAILED:
                operation.status, operation.failure = HeldStatus.PENDING, None

    return Effects(done=sent, gave_up=refused, retried=reopened, refusal_is_final=True)


HELD_EVENTS = {Claim: "certificate.claimed", CertificateTransfer: "certificate.transferred"}


def _held_data(operation: Claim | CertificateTransfer) -> dict[str, Any]:
    """What a claim's or a transfer's webhook says: which certificate, how much, to whom, in which transaction."""
    data: dict[str, Any] = {
        "certificate_id": operation.certificate_id,
        "volume_wh": operation.volume_wh,
        "tx_hash": operation.tx_hash,
    }
    if isinstance(operation, Claim):
        return {**data, "claim_id": operation.id, "beneficiary": operation.beneficiary}
    return {**data, "transfer_id": operation.id, "to_address": operation.to_address}


def _claim_call(run: Run, holder: str, token_id: int, claim: Claim) -> calls.ContractCall:
    return calls.claim(run.chain, holder, token_id, claim.volume_wh, claim_data(claim))


def _transfer_call(run: Run, holder: str, token_id: int, transfer: CertificateTransfer) -> calls.ContractCall:
    return calls.transfer(run.chain, holder, transfer.to_address, token_id, transfer.volume_wh)


CLAIMS = Handler(
    "claims",
    (OutboxKind.CLAIM_CERTIFICATE,),
    partial(_send_held, OutboxKind.CLAIM_CERTIFICATE, Claim, _claim_call),
    _held_effects(Claim),
)
TRANSFERS = Handler(
    "transfers",
    (OutboxKind.TRANSFER_CERTIFICATE,),
    partial(_send_held, OutboxKind.TRANSFER_CERTIFICATE, CertificateTransfer, _transfer_call),
    _held_effects(CertificateTransfer),
)
