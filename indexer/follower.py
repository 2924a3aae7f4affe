"""Follow contract events from a checkpoint into `chain_event`, idempotently, and apply their effects.

Events are read up to `head − confirmations`; each is written once per (tx hash, log index). If the block at
the checkpoint no longer has the hash we recorded (a reorganisation), the follower rewinds: the events of
the orphaned blocks are deleted and their effects undone, and reading starts again below them.
"""

import logging
from dataclasses import dataclass
from typing import Any

from hexbytes import HexBytes
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from web3 import Web3
from web3.contract import Contract

from dapp.chain.models import ChainEvent, IndexerCheckpoint
from indexer import handlers

CHECKPOINT = "contracts"
BLOCKS_PER_QUERY = 2_000
log = logging.getLogger(__name__)


@dataclass
class Follower:
    web3: Web3
    contracts: dict[str, Contract]
    start_block: int
    confirmations: int

    def __post_init__(self) -> None:
        self._abis = {
            (contract.address, _topic(abi)): (name, abi)
            for name, contract in self.contracts.items()
            for abi in contract.abi
            if abi["type"] == "event"
        }

    def step(self, session: Session) -> int:
        """Index the next range of confirmed blocks; returns the number of events written."""
        checkpoint = self._checkpoint(session)
        if checkpoint.block_number >= self.start_block and self._reorganised(checkpoint):
            self._rewind(session, checkpoint)
            return 0
        safe_head = self.web3.eth.block_number - self.confirmations
        first = checkpoint.block_number + 1
        if first > safe_head:
            return 0
        last = min(safe_head, first + BLOCKS_PER_QUERY - 1)
        written = sum(self._store(session, raw) for raw in self._logs(first, last))
        checkpoint.block_number = last
        checkpoint.block_hash = self.web3.eth.get_block(last)["hash"].to_0x_hex()
        return written

    def lag(self, session: Session) -> int:
        return max(0, self.web3.eth.block_number - self._checkpoint(session).block_number)

    def _checkpoint(self, session: Session) -> IndexerCheckpoint:
        checkpoint = session.get(IndexerCheckpoint, CHECKPOINT, with_for_update=True)
        if checkpoint is None:
            checkpoint = IndexerCheckpoint(name=CHECKPOINT, block_number=self.start_block - 1, block_hash="")
            session.add(checkpoint)
        return checkpoint

    def _reorganised(self, checkpoint: IndexerCheckpoint) -> bool:
        block = self.web3.eth.get_block(checkpoint.block_number)
        return block["hash"].to_0x_hex() != checkpoint.block_hash

    def _rewind(self, session: Session, checkpoint: IndexerCheckpoint) -> None:
        target = max(self.start_block - 1, checkpoint.block_number - max(self.confirmations, 1) * 2 - 1)
        log.warning("reorganisation below block %s: rewinding to %s", checkpoint.block_number, target)
        orphaned = list(session.scalars(select(ChainEvent).where(ChainEvent.block_number > target)))
        for event in orphaned:
            handlers.undo(session, event)
        session.execute(delete(ChainEvent).where(ChainEvent.block_number > target))
        checkpoint.block_number = target
        checkpoint.block_hash = self.web3.eth.get_block(target)["hash"].to_0x_hex() if target >= 0 else ""

    def _logs(self, first: int, last: int) -> list[Any]:
        addresses = [contract.address for contract in self.contracts.values()]
        return self.web3.eth.get_logs({"fromBlock": first, "toBlock": last, "address": addresses})

    def _store(self, session: Session, raw: Any) -> int:
        key = (Web3.to_checksum_address(raw["address"]), HexBytes(raw["topics"][0]).to_0x_hex())
        if key not in self._abis:
            return 0
        contract_name, abi = self._abis[key]
        decoded = self.contracts[contract_name].events[abi["name"]]().process_log(raw)
        values = {
            "contract": contract_name,
            "event": decoded["event"],
            "block_number": raw["blockNumber"],
            "block_hash": HexBytes(raw["blockHash"]).to_0x_hex(),
            "tx_hash": HexBytes(raw["transactionHash"]).to_0x_hex(),
            "log_index": raw["logIndex"],
            "args": _jsonable(dict(decoded["args"])),
        }
        inserted = session.execute(
            insert(ChainEvent).values(**values).on_conflict_do_nothing().returning(ChainEvent.id)
        ).scalar()
        if inserted is None:
            return 0
        handlers.apply(session, session.get_one(ChainEvent, inserted))
        return 1


def _topic(abi: dict[str, Any]) -> str:
    signature = f"{abi['name']}({','.join(_type(i) for i in abi['inputs'])})"
    return Web3.keccak(text=signature).to_0x_hex()


def _type(item: dict[str, Any]) -> str:
    if item["type"].startswith("tuple"):
        return "(" + ",".join(_type(c) for c in item["components"]) + ")" + item["type"][5:]
    return item["type"]


def _jsonable(value: Any) -> Any:
    """Event arguments as JSON: integers as decimal strings (uint256 exceeds JSON numbers), bytes as 0x hex."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return value
