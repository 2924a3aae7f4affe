"""Sending outbox entries on chain so that a crash never sends them twice nor loses them (ADR 0053).

A try takes three steps, each its own unit of work:

1. prepare: lock due entries, build the call, sign it with the sender's next nonce, record the transaction
   (hash, nonce, signed bytes) and mark the entries sent, then commit, before anything is broadcast;
2. deliver: broadcast the recorded bytes and wait for the receipt;
3. settle: store the receipt (entries done) or the failure (entries back off, see `outbox.RetryPolicy`).

A worker killed anywhere leaves either nothing (step 1 did not commit) or a recorded transaction, which the next
run resolves before it signs anything new: the receipt if it is mined; waiting if the node has it; the very same
bytes again if the node lost it while its nonce is still free. Only once another transaction has used its nonce,
so that it can never be mined, is it dropped and its entries tried again in a new transaction.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from eth_account.signers.local import LocalAccount
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from web3.exceptions import ContractLogicError, Web3Exception
from web3.types import TxReceipt

from dapp.chain import outbox
from dapp.chain.calls import ContractCall
from dapp.chain.contracts import Chain, ChainUnavailable
from dapp.clock import Clock
from dapp.db import Database
from dapp.ipfs import ContentStore, ContentStoreError
from dapp.models.chain import ChainTransaction, OutboxEntry, TransactionStatus

# What makes a try fail without the entries being at fault: the node, IPFS or the network is down or refuses
# to work (RPC errors such as insufficient funds), or another worker took the same nonce first.
TRANSIENT = (ChainUnavailable, ContentStoreError, Web3Exception, requests.RequestException, IntegrityError)


class ChainPaused(Exception):
    """The chain cannot be used right now (unreachable, or a transaction still unresolved): stop this run.

    The entries keep their state (pending with a backoff, or sent); the scheduler's next run resumes.
    """


def _nothing(*_: Any) -> None:
    return None


@dataclass(frozen=True)
class Effects:
    """What a kind of entry changes besides the outbox: when its transaction is mined, when the retry policy
    gives up on it, and when an admin retries it after that."""

    done: Callable[[Session, list[OutboxEntry], str, datetime], None] = _nothing
    gave_up: Callable[[Session, list[OutboxEntry], datetime], None] = _nothing
    retried: Callable[[Session, list[OutboxEntry]], None] = _nothing
    refusal_is_final: bool = False  # a call the contract refuses is given up at once, not retried


@dataclass(frozen=True)
class Signer:
    """An account other than the platform's that signs a transaction (an organization's managed account)."""

    address: str
    account: LocalAccount


@dataclass
class Prepared:
    """A contract call for some locked entries. `parts`, one single-entry call per entry of a batch, let a
    refused batch find the entries to blame."""

    call: ContractCall
    entries: list[OutboxEntry]
    signer: Signer | None = None
    parts: list[tuple[int, ContractCall]] = field(default_factory=list)


@dataclass(frozen=True)
class Handler:
    """How the chain job sends some kinds of outbox entries, and what their rows do when the job settles them.

    A feature defines one per on-chain effect it owns (its `onchain.py`); the wiring installs them, in the order
    a run takes them (dapp.chain.jobs)."""

    name: str  # the step's name in the job's result
    kinds: tuple[str, ...]
    send: Callable[["Run"], int]  # one try: how many entries it handled, 0 when none was due
    effects: Effects = Effects()


@dataclass
class Run:
    """One run of the chain job: what it sends with, which handlers it knows and how it retries."""

    db: Database
    chain: Chain
    clock: Clock
    content: ContentStore
    policy: outbox.RetryPolicy
    handlers: tuple[Handler, ...]
    receipt_timeout: float
    secret_key: str  # unlocks the organizations' managed keys
    mint_batch_size: int
    failed: set[int] = field(default_factory=set)  # entries that failed in this run: not tried again in it

    def effects(self, kind: str) -> Effects:
        return effects_of(self.handlers, kind)


def effects_of(handlers: tuple[Handler, ...], kind: str) -> Effects:
    """What entries of `kind` change besides the outbox, as their handler says."""
    for handler in handlers:
        if kind in handler.kinds:
            return handler.effects
    raise LookupError(f"no outbox handler is installed for {kind!r} entries")


Pick = Callable[[Session, datetime], list[OutboxEntry]]
Build = Callable[[Session, list[OutboxEntry], datetime], Prepared | None]


def try_once(run: Run, pick: Pick, build: Build) -> int:
    """One try: prepare a transaction for the entries `pick` locks, then deliver it; returns how many entries
    were handled, 0 when none was due."""
    handled, transaction_id = prepare(run, pick, build)
    if transaction_id is not None:
        deliver(run, transaction_id)
    return handled


def prepare(run: Run, pick: Pick, build: Build) -> tuple[int, int | None]:
    """Step 1 alone: lock the entries `pick` returns, sign `build`'s call and record it (committed), broadcast
    nothing; returns how many entries were handled and the recorded transaction's id (None if nothing is to be
    sent: `build` returns None once it has settled the entries itself)."""
    ids: list[int] = []
    prepared = None
    try:
        with run.db.unit_of_work() as session:
            now = run.clock.now()
            entries = pick(session, now)
            ids = [e.id for e in entries]
            prepared = build(session, entries, now) if entries else None
            return len(ids), record(session, run.chain, prepared, now) if prepared else None
    except ContractLogicError as error:  # nothing was sent: the node would revert the call
        error_text = f"The contract refused the call: {outbox.describe(error)}"
        fail(run, _culprits(run.chain, prepared) or ids, error_text, refused=True)
        return len(ids), None
    except TRANSIENT as error:
        if ids:
            fail(run, ids, outbox.describe(error))
        raise ChainPaused(outbox.describe(error)) from error


def settle_in_flight(run: Run) -> int:
    """Resolve every recorded transaction not settled yet (a previous run died or gave up waiting), oldest nonce
    first; returns how many there were. Raises ChainPaused if one stays unresolved."""
    with run.db.unit_of_work() as session:
        ids = list(
            session.scalars(
                select(ChainTransaction.id)
                .where(ChainTransaction.status == TransactionStatus.SENT)
                .order_by(ChainTransaction.sender, ChainTransaction.nonce)
            )
        )
    for transaction_id in ids:
        deliver(run, transaction_id)
    return len(ids)


def deliver(run: Run, transaction_id: int) -> None:
    """Bring a recorded transaction to its receipt (broadcasting it if the node does not have it) and settle it."""
    with run.db.unit_of_work() as session:
        tx = session.get_one(ChainTransaction, transaction_id)
        if tx.status != TransactionStatus.SENT:
            return  # settled by another run meanwhile
        tx_hash, sender, nonce, raw = tx.tx_hash, tx.sender, tx.nonce, tx.raw_transaction
    try:
        receipt = _receipt(run, tx_hash, sender, nonce, raw)
    except TRANSIENT as error:
        with run.db.unit_of_work() as session:
            entries = _entries_of(session, transaction_id)
            outbox.note_error(entries, f"Transaction {tx_hash} not settled yet: {outbox.describe(error)}")
        raise ChainPaused(f"transaction {tx_hash} (nonce {nonce}) not settled: {outbox.describe(error)}") from error
    with run.db.unit_of_work() as session:
        _settle(session, run, transaction_id, receipt, run.clock.now())


def fail(run: Run, entry_ids: Iterable[int], error: str, refused: bool = False) -> None:
    """Record a failed try of these entries in a unit of work of its own (their try's was rolled back);
    `refused`: the contract refused their call."""
    with run.db.unit_of_work() as session:
        entries = list(
            session.scalars(select(OutboxEntry).where(OutboxEntry.id.in_(list(entry_ids))).with_for_update())
        )
        _fail_entries(session, run, entries, error, run.clock.now(), refused)


def record(session: Session, chain: Chain, prepared: Prepared, now: datetime) -> int:
    """Sign the call with the sender's next nonce; store the transaction and mark its entries sent."""
    account = prepared.signer.account if prepared.signer else chain.signer
    signed = chain.sign(prepared.call.function, account, _next_nonce(session, chain, account.address))
    transaction = ChainTransaction(
        sender=signed.sender,
        nonce=signed.nonce,
        tx_hash=signed.tx_hash,
        raw_transaction=signed.raw,
        status=TransactionStatus.SENT,
        signed_at=now,
    )
    session.add(transaction)
    session.flush()  # the unique in-flight (sender, nonce) index turns a second worker's same nonce into an error
    outbox.mark_sent(prepared.entries, transaction)
    return transaction.id


def _next_nonce(session: Session, chain: Chain, sender: str) -> int:
    """The node's next nonce, or the one after our own transactions in flight if they are not all in its pool."""
    in_flight = session.scalar(
        select(func.max(ChainTransaction.nonce)).where(
            ChainTransaction.sender == sender, ChainTransaction.status == TransactionStatus.SENT
        )
    )
    return max(chain.pool_nonce(sender), -1 if in_flight is None else in_flight + 1)


def _receipt(run: Run, tx_hash: str, sender: str, nonce: int, raw: bytes) -> TxReceipt | None:
    """The transaction's receipt, or None if it was dropped: its nonce is used and no block holds it."""
    chain = run.chain
    receipt = chain.receipt(tx_hash)
    if receipt is not None:
        return receipt
    if not chain.is_known(tx_hash):
        if chain.mined_nonce(sender) > nonce:
            return chain.receipt(tx_hash)  # mined meanwhile, else another transaction took the nonce for good
        chain.broadcast(raw)  # never broadcast (the worker died first) or lost by the node: the same bytes again
    return chain.wait_for_receipt(tx_hash, run.receipt_timeout)


def _settle(session: Session, run: Run, transaction_id: int, receipt: TxReceipt | None, now: datetime) -> None:
    tx = session.get_one(ChainTransaction, transaction_id, with_for_update=True)
    if tx.status != TransactionStatus.SENT:
        return
    entries = _entries_of(session, transaction_id)
    tx.settled_at = now
    if receipt is None:
        tx.status = TransactionStatus.DROPPED
        _fail_entries(
            session, run, entries, f"Transaction {tx.tx_hash} dropped: nonce {tx.nonce} was used by another.", now
        )
        return
    tx.block_number, tx.gas_used = receipt["blockNumber"], receipt["gasUsed"]
    if receipt["status"] != 1:
        tx.status = TransactionStatus.REVERTED
        error = f"Transaction {tx.tx_hash} reverted in block {tx.block_number}: none of it happened."
        _fail_entries(session, run, entries, error, now, refused=True)
        return
    tx.status = TransactionStatus.MINED
    outbox.mark_done(entries, now, tx.tx_hash, tx.gas_used)
    for kind, group in _by_kind(entries).items():
        run.effects(kind).done(session, group, tx.tx_hash, now)


def _entries_of(session: Session, transaction_id: int) -> list[OutboxEntry]:
    query = select(OutboxEntry).where(OutboxEntry.transaction_id == transaction_id).order_by(OutboxEntry.id)
    return list(session.scalars(query.with_for_update()))


def _fail_entries(
    session: Session, run: Run, entries: list[OutboxEntry], error: str, now: datetime, refused: bool = False
) -> None:
    run.failed.update(e.id for e in entries)
    final = [e.id for e in entries if refused and run.effects(e.kind).refusal_is_final]
    gave_up = outbox.record_failure(entries, error, run.policy, now, final)
    for kind, group in _by_kind(gave_up).items():
        run.effects(kind).gave_up(session, group, now)


def _by_kind(entries: list[OutboxEntry]) -> dict[str, list[OutboxEntry]]:
    groups: dict[str, list[OutboxEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.kind, []).append(entry)
    return groups


def _culprits(chain: Chain, prepared: Prepared | None) -> list[int]:
    """The entries of a refused batch whose own call the contract refuses too; [] if none alone is refused (the
    batch as a whole is at fault) or the node cannot tell."""
    if prepared is None or len(prepared.parts) < 2:
        return []
    sender = prepared.signer.address if prepared.signer else chain.signer.address
    culprits = []
    for entry_id, call in prepared.parts:
        try:
            call.function.call({"from": sender})
        except ContractLogicError:
            culprits.append(entry_id)
        except TRANSIENT:
            return []
    return culprits
