"""Follow contract events from a checkpoint into `chain_event`, idempotently, and apply their effects.

A step reads the next range of confirmed blocks (up to `head − confirmations`) with one `eth_getLogs` call,
decodes the logs (indexer.decoding), stores them with one multi-row insert that skips any (tx hash, log index)
already stored, applies the effects of the new ones (indexer.handlers) and moves the checkpoint — all in the
caller's transaction, so a crash leaves the checkpoint and the events consistent.

Reorganisations: when the block at the checkpoint no longer has the hash recorded there (or no longer exists),
the chain changed under us, however deep. The follower walks back over the blocks it stored events of until
one still has its stored hash (the fork point), deletes the events above it, undoes their effects, and reads
again from there.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import BlockNotFound
from web3.types import RPCEndpoint

from dapp.models.chain import INDEXER_CHECKPOINT, ChainEvent, IndexerCheckpoint
from indexer import bulk, handlers
from indexer.decoding import DecodedEvent, Decoder
from indexer.handlers import IndexedEvent

BLOCKS_PER_QUERY = 2_000
FORK_SEARCH_PAGE = 100
log = logging.getLogger(__name__)


class LogsUnavailable(Exception):
    """The node refused `eth_getLogs` even for a single block."""


@dataclass
class Follower:
    web3: Web3
    contracts: dict[str, Contract]
    start_block: int
    confirmations: int

    def __post_init__(self) -> None:
        self._decoder = Decoder({name: (c.address, c.abi) for name, c in self.contracts.items()})

    def step(self, session: Session) -> int:
        """Index the next range of confirmed blocks, or rewind after a reorganisation; returns events written."""
        checkpoint = self._checkpoint(session)
        if self._reorganised(checkpoint):
            self._rewind(session, checkpoint)
            return 0
        first = checkpoint.block_number + 1
        last = min(self.web3.eth.block_number - self.confirmations, checkpoint.block_number + BLOCKS_PER_QUERY)
        # The hash is read before the logs: a reorganisation between the two calls is found at the next step.
        last_hash = self._block_hash(last) if first <= last else None
        if last_hash is None:
            return 0
        events = [event for raw in self._logs(first, last) if (event := self._decoder.decode(raw)) is not None]
        stored = self._store(session, events)
        handlers.apply(session, stored, self._claim_timestamps(stored))
        checkpoint.block_number, checkpoint.block_hash = last, last_hash
        return len(stored)

    def lag(self, session: Session) -> int:
        """Blocks between the chain head and the last indexed block."""
        return max(0, self.web3.eth.block_number - self._checkpoint(session).block_number)

    def replay_from(self, session: Session, block: int) -> int:
        """Forget the events of `block` and later, with their effects, so that the next steps index them again
        (`drec indexer replay`); returns the block the indexer will start from."""
        checkpoint = self._checkpoint(session)
        above = max(block, self.start_block) - 1
        if above >= checkpoint.block_number:
            return checkpoint.block_number + 1
        handlers.rewind(session, above)
        checkpoint.block_number = above
        checkpoint.block_hash = (self._block_hash(above) or "") if above >= self.start_block else ""
        return above + 1

    def _checkpoint(self, session: Session) -> IndexerCheckpoint:
        """The checkpoint, locked until the caller's commit: a second indexer waits here, then reads on from where
        the first left off. The very first step inserts it, unless another indexer is doing so (then it waits)."""
        checkpoint = session.get(IndexerCheckpoint, INDEXER_CHECKPOINT, with_for_update=True)
        if checkpoint is not None:
            return checkpoint
        first = insert(IndexerCheckpoint).values(name=INDEXER_CHECKPOINT, block_number=self.start_block - 1)
        session.execute(first.values(block_hash="").on_conflict_do_nothing(index_elements=["name"]))
        return session.get_one(IndexerCheckpoint, INDEXER_CHECKPOINT, with_for_update=True, populate_existing=True)

    def _block_hash(self, number: int) -> str | None:
        """The hash of block `number` on the chain now, or None if the chain is not that long (any more)."""
        try:
            return self.web3.eth.get_block(number)["hash"].to_0x_hex().lower()
        except BlockNotFound:
            return None

    def _reorganised(self, checkpoint: IndexerCheckpoint) -> bool:
        if checkpoint.block_number < self.start_block:
            return False
        return self._block_hash(checkpoint.block_number) != checkpoint.block_hash

    def _rewind(self, session: Session, checkpoint: IndexerCheckpoint) -> None:
        number, block_hash = self._fork_point(session, checkpoint.block_number)
        tokens = handlers.rewind(session, number)
        log.warning(
            "reorganisation below block %s: rewound to block %s, %s token(s) recomputed",
            checkpoint.block_number,
            number,
            len(tokens),
        )
        checkpoint.block_number, checkpoint.block_hash = number, block_hash

    def _fork_point(self, session: Session, below: int) -> tuple[int, str]:
        """The highest block we stored events of that the chain still has with the same hash."""
        for number, block_hash in _stored_blocks(session, below):
            if self._block_hash(number) == block_hash:
                return number, block_hash
        return self.start_block - 1, ""

    def _logs(self, first: int, last: int) -> list[dict[str, Any]]:
        """Raw logs of our contracts in blocks [first, last]; halves the range when the node refuses it."""
        query = {"fromBlock": hex(first), "toBlock": hex(last), "address": self._decoder.addresses}
        response = self.web3.provider.make_request(RPCEndpoint("eth_getLogs"), [query])
        if "error" not in response:
            return list(response["result"])
        if first == last:
            raise LogsUnavailable(f"eth_getLogs failed for block {first}: {response['error']}")
        middle = (first + last) // 2
        log.info("eth_getLogs refused blocks %s–%s (%s); halving", first, last, response["error"])
        return self._logs(first, middle) + self._logs(middle + 1, last)

    def _store(self, session: Session, events: list[DecodedEvent]) -> list[IndexedEvent]:
        """Insert the events, skipping those stored before; returns the new ones in chain order."""
        rows = [
            {
                "contract": e.contract,
                "event": e.event,
                "block_number": e.block_number,
                "block_hash": e.block_hash,
                "tx_hash": e.tx_hash,
                "log_index": e.log_index,
                "args": e.args,
            }
            for e in events
        ]
        inserted = bulk.insert_rows(
            session, ChainEvent, rows, skip_duplicates=True, returning=("id", "tx_hash", "log_index")
        )
        ids = {(tx, index): id_ for id_, tx, index in inserted}
        return [IndexedEvent(ids[e.tx_hash, e.log_index], e) for e in events if (e.tx_hash, e.log_index) in ids]

    def _claim_timestamps(self, stored: list[IndexedEvent]) -> dict[int, int]:
        """Block number → unix time for the blocks of new claims (from the log when the node includes it)."""
        blocks = {e.event.block_number: e.event.block_timestamp for e in stored if e.event.event == "ClaimSingle"}
        return {
            number: timestamp if timestamp is not None else self.web3.eth.get_block(number)["timestamp"]
            for number, timestamp in blocks.items()
        }


def _stored_blocks(session: Session, below: int) -> Iterator[tuple[int, str]]:
    """(number, hash) of the blocks at or below `below` that we stored events of, highest first."""
    while True:
        page = session.execute(
            select(ChainEvent.block_number, ChainEvent.block_hash)
            .where(ChainEvent.block_number <= below)
            .distinct()
            .order_by(ChainEvent.block_number.desc())
            .limit(FORK_SEARCH_PAGE)
        ).all()
        yield from ((number, block_hash) for number, block_hash in page)
        if len(page) < FORK_SEARCH_PAGE:
            return
        below = page[-1][0] - 1
