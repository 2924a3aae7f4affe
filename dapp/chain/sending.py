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

Fees follow dapp.chain.fees: nothing is signed while the network asks more than the ceiling (the run waits, no
attempt is spent). A transaction pending longer than `replace_after` is replaced at its nonce with higher fees,
the replacement recorded (and committed) before it is broadcast like any other; the one it replaced stays
`replaced` and watched, and whichever of them is mined is the one its entries record (ADR 0117). A managed
account's gas top-up is a recorded transaction too, so a crash never funds it twice.
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from eth_account.signers.local import LocalAccount
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from web3.exceptions import ContractLogicError, TimeExhausted, Web3Exception
from web3.types import TxReceipt

from dapp.chain import outbox
from dapp.chain.accounts import managed_account
from dapp.chain.calls import ContractCall
from dapp.chain.contracts import Chain, ChainUnavailable, SignedTransaction, hex_hash
from dapp.chain.fees import FeeAboveCeiling, Fees
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


class NeedsGas(Exception):
    """A managed account has too little of the chain's coin to pay for its transaction: top it up first."""

    def __init__(self, address: str, top_up_wei: int) -> None:
        super().__init__(f"{address} needs gas")
        self.address, self.top_up_wei = address, top_up_wei


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
    replace_after: timedelta = timedelta(seconds=180)  # a transaction pending this long is replaced

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
    except FeeAboveCeiling as error:  # nothing was signed; the entries wait without spending an attempt
        raise ChainPaused(str(error)) from error
    except NeedsGas as need:  # nothing was signed: fund the account (recorded), then the handler tries again
        top_up(run, need.address, need.top_up_wei)
        return len(ids), None
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


@dataclass(frozen=True)
class InFlight:
    """A recorded transaction not settled yet, with the hashes of those it replaced (any of them may be mined)."""

    id: int
    tx_hash: str
    sender: str
    nonce: int
    raw: bytes
    pending_since: datetime
    hashes: tuple[str, ...]  # this transaction's first, then those it replaced


def deliver(run: Run, transaction_id: int) -> None:
    """Bring a recorded transaction to its receipt (broadcasting it if the node does not have it, replacing it if
    it is stuck) and settle it."""
    flight = _in_flight(run, transaction_id)
    if flight is None:
        return  # settled by another run meanwhile
    try:
        receipt = _await_receipt(run, flight)
    except TRANSIENT as error:
        with run.db.unit_of_work() as session:
            entries = _entries_of_nonce(session, flight.sender, flight.nonce)
            outbox.note_error(entries, f"Transaction {flight.tx_hash} not settled yet: {outbox.describe(error)}")
        raise ChainPaused(
            f"transaction {flight.tx_hash} (nonce {flight.nonce}) not settled: {outbox.describe(error)}"
        ) from error
    with run.db.unit_of_work() as session:
        _settle(session, run, flight, receipt, run.clock.now())


def _in_flight(run: Run, transaction_id: int) -> InFlight | None:
    """The unsettled transaction at the nonce of `transaction_id` (its replacement, if it has one)."""
    with run.db.unit_of_work() as session:
        first = session.get_one(ChainTransaction, transaction_id)
        family = _family(session, first.sender, first.nonce)
        current = next((tx for tx in family if tx.status == TransactionStatus.SENT), None)
        return _flight(current, tuple(tx.tx_hash for tx in family)) if current else None


def _flight(tx: ChainTransaction, hashes: tuple[str, ...]) -> InFlight:
    since = tx.pending_since or tx.signed_at
    return InFlight(tx.id, tx.tx_hash, tx.sender, tx.nonce, tx.raw_transaction, since, hashes)


def _family(session: Session, sender: str, nonce: int, lock: bool = False) -> list[ChainTransaction]:
    """The unsettled transactions of one nonce: the one in flight and those it replaced, newest first."""
    query = select(ChainTransaction).where(
        ChainTransaction.sender == sender,
        ChainTransaction.nonce == nonce,
        ChainTransaction.status.in_((TransactionStatus.SENT, TransactionStatus.REPLACED)),
    )
    query = query.order_by(ChainTransaction.id.desc())
    return list(session.scalars(query.with_for_update() if lock else query))


def _await_receipt(run: Run, flight: InFlight) -> TxReceipt | None:
    """The receipt of the transaction or of one it replaced, or None if it was dropped (its nonce used by no
    transaction of ours); replaces it when it is stuck, within the fee ceiling. Raises TimeExhausted when
    nothing is mined within the run's receipt timeout: it stays in flight for the next run."""
    chain = run.chain
    deadline = time.monotonic() + run.receipt_timeout
    may_replace = True
    while True:
        receipt = chain.wait_for_any_receipt(flight.hashes, 0)
        if receipt is not None:
            return receipt
        if not chain.is_known(flight.tx_hash):
            if chain.mined_nonce(flight.sender) > flight.nonce:
                return chain.wait_for_any_receipt(flight.hashes, 0)  # mined meanwhile, else dropped for good
            chain.broadcast(flight.raw)  # never broadcast (a worker died first) or lost by the node: again
        if may_replace and _waited(flight) >= run.replace_after:
            replacement = _replace(run, flight)
            may_replace = replacement is not None
            flight = replacement or _in_flight(run, flight.id) or flight
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeExhausted(f"transaction {flight.tx_hash} is not mined after {run.receipt_timeout:g} s")
        until_stuck = (run.replace_after - _waited(flight)).total_seconds() if may_replace else left
        receipt = chain.wait_for_any_receipt(flight.hashes, max(0.0, min(left, until_stuck)))
        if receipt is not None:
            return receipt


def _waited(flight: InFlight) -> timedelta:
    return datetime.now(UTC) - flight.pending_since


def _replace(run: Run, flight: InFlight) -> InFlight | None:
    """Record a replacement of the stuck transaction `flight` (same nonce and call, higher fees), committed
    before it is broadcast, and broadcast it; None when its fees would pass the ceiling (it keeps waiting as it
    is) or another run settled or replaced it meanwhile."""
    with run.db.unit_of_work() as session:
        stuck = session.get_one(ChainTransaction, flight.id, with_for_update=True)
        if stuck.status != TransactionStatus.SENT:
            return None
        entries = _entries_of(session, stuck.id)
        old = Fees(stuck.max_fee_per_gas or 0, stuck.max_priority_fee_per_gas or 0, stuck.raw_transaction[0] != 2)
        try:
            fees = run.chain.fee_quote().replacement(old)
        except FeeAboveCeiling as error:
            outbox.note_error(entries, str(error))
            return None
        signed = run.chain.resign(stuck.raw_transaction, _account_of(session, run, stuck.sender), fees)
        stuck.status = TransactionStatus.REPLACED
        session.flush()  # out of the in-flight index before its replacement enters it
        replacement = _recorded(session, signed, fees, run.clock.now(), replaces=stuck)
        for entry in entries:
            entry.transaction_id, entry.tx_hash = replacement.id, replacement.tx_hash
        replaced = _flight(replacement, (signed.tx_hash, *flight.hashes))
    run.chain.broadcast(replaced.raw)
    return replaced


def _account_of(session: Session, run: Run, sender: str) -> LocalAccount:
    """The key that signed a recorded transaction: the platform's, or an organization's managed account's."""
    if sender == run.chain.signer.address:
        return run.chain.signer
    account = managed_account(session, run.secret_key, sender)
    if account is None:
        raise LookupError(f"no key of this platform signs for {sender}")
    return account


def top_up(run: Run, address: str, value_wei: int) -> None:
    """Give a managed account gas money from the platform account through a recorded transaction (committed
    before it is broadcast), then wait for it; a top-up to `address` already in flight is waited for instead of
    sending another."""
    try:
        transaction_id = _record_top_up(run, address, value_wei)
    except FeeAboveCeiling as error:
        raise ChainPaused(str(error)) from error
    except TRANSIENT as error:
        raise ChainPaused(f"gas top-up of {address} not sent: {outbox.describe(error)}") from error
    deliver(run, transaction_id)


def _record_top_up(run: Run, address: str, value_wei: int) -> int:
    with run.db.unit_of_work() as session:
        in_flight = session.scalar(
            select(ChainTransaction.id).where(
                ChainTransaction.top_up_to == address, ChainTransaction.status == TransactionStatus.SENT
            )
        )
        if in_flight is not None:
            return in_flight
        chain, signer = run.chain, run.chain.signer
        fees = chain.fee_quote().fees()
        signed = chain.sign_transfer(signer, address, value_wei, _next_nonce(session, chain, signer.address), fees)
        return _recorded(session, signed, fees, run.clock.now(), top_up_to=address).id


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
    fees = chain.fee_quote().fees()  # FeeAboveCeiling: nothing is signed
    signed = chain.sign(prepared.call.function, account, _next_nonce(session, chain, account.address), fees)
    transaction = _recorded(session, signed, fees, now)
    outbox.mark_sent(prepared.entries, transaction)
    return transaction.id


def _recorded(
    session: Session,
    signed: SignedTransaction,
    fees: Fees,
    now: datetime,
    replaces: ChainTransaction | None = None,
    top_up_to: str | None = None,
) -> ChainTransaction:
    """Store a signed transaction, in flight."""
    transaction = ChainTransaction(
        sender=signed.sender,
        nonce=signed.nonce,
        tx_hash=signed.tx_hash,
        raw_transaction=signed.raw,
        status=TransactionStatus.SENT,
        signed_at=now,
        pending_since=datetime.now(UTC),  # wall time: how long it has waited, whatever the platform clock says
        max_fee_per_gas=fees.max_fee,
        max_priority_fee_per_gas=fees.priority_fee,
        replaces_id=replaces.id if replaces else None,
        top_up_to=top_up_to or (replaces.top_up_to if replaces else None),
    )
    session.add(transaction)
    session.flush()  # the unique in-flight (sender, nonce) index turns a second worker's same nonce into an error
    return transaction


def _next_nonce(session: Session, chain: Chain, sender: str) -> int:
    """The node's next nonce, or the one after our own transactions in flight if they are not all in its pool."""
    in_flight = session.scalar(
        select(func.max(ChainTransaction.nonce)).where(
            ChainTransaction.sender == sender, ChainTransaction.status == TransactionStatus.SENT
        )
    )
    return max(chain.pool_nonce(sender), -1 if in_flight is None else in_flight + 1)


def _settle(session: Session, run: Run, flight: InFlight, receipt: TxReceipt | None, now: datetime) -> None:
    """Settle the nonce of `flight`: the transaction the receipt names is mined (or reverted), the others of its
    nonce dropped; the entries record the one mined, whichever it is."""
    family = _family(session, flight.sender, flight.nonce, lock=True)
    if not any(tx.status == TransactionStatus.SENT for tx in family):
        return  # settled by another run meanwhile
    entries = _entries_of_nonce(session, flight.sender, flight.nonce)
    for tx in family:
        tx.settled_at, tx.status = now, TransactionStatus.DROPPED
    if receipt is None:
        _fail_entries(
            session,
            run,
            entries,
            f"Transaction {flight.tx_hash} dropped: nonce {flight.nonce} was used by another.",
            now,
        )
        return
    mined_hash = hex_hash(receipt["transactionHash"])
    tx = next(tx for tx in family if tx.tx_hash == mined_hash)
    tx.block_number, tx.gas_used = receipt["blockNumber"], receipt["gasUsed"]
    for entry in entries:
        entry.transaction_id = tx.id
    if receipt["status"] != 1:
        tx.status = TransactionStatus.REVERTED
        error = f"Transaction {tx.tx_hash} reverted in block {tx.block_number}: none of it happened."
        _fail_entries(session, run, entries, error, now, refused=True)
        return
    tx.status = TransactionStatus.MINED
    outbox.mark_done(entries, now, tx.tx_hash, tx.gas_used)
    for kind, group in _by_kind(entries).items():
        run.effects(kind).done(session, group, tx.tx_hash, now)


def _entries_of_nonce(session: Session, sender: str, nonce: int) -> list[OutboxEntry]:
    """The entries waiting on a nonce's transactions (they follow its newest one)."""
    current = select(ChainTransaction.id).where(
        ChainTransaction.sender == sender,
        ChainTransaction.nonce == nonce,
        ChainTransaction.status.in_((TransactionStatus.SENT, TransactionStatus.REPLACED)),
    )
    query = select(OutboxEntry).where(OutboxEntry.transaction_id.in_(current)).order_by(OutboxEntry.id)
    return list(session.scalars(query.with_for_update()))


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
