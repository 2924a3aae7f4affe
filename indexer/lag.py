"""How far the indexer is behind the chain: the node's head against the indexer's checkpoint."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dapp.chain.contracts import Chain, ChainUnavailable
from dapp.models.chain import INDEXER_CHECKPOINT, IndexerCheckpoint


@dataclass(frozen=True)
class IndexerLag:
    head_block: int
    indexed_block: int | None  # None until the indexer's first step

    @property
    def blocks_behind(self) -> int:
        return max(0, self.head_block - (self.indexed_block or 0))


def indexer_lag(session: Session, chain: Chain) -> IndexerLag:
    """How many blocks the indexer is behind the chain head (asks the node; raises ChainUnavailable if down)."""
    try:
        head = chain.web3.eth.block_number
    except OSError as error:  # requests' connection errors are OSErrors
        raise ChainUnavailable(f"the chain node at {chain.rpc_url} does not answer") from error
    checkpoint = session.get(IndexerCheckpoint, INDEXER_CHECKPOINT)
    return IndexerLag(head, checkpoint.block_number if checkpoint is not None else None)
