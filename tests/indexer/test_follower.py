"""The follower (R-IDX-1): idempotent writes, restart from the checkpoint, confirmations, reorganisation rewind."""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from sqlalchemy import delete, func, select

from dapp import platform
from dapp.chain.contracts import from_settings
from dapp.issuance.service import holdings as indexed
from dapp.models.chain import (
    INDEXER_CHECKPOINT,
    CertificateChainState,
    ChainEvent,
    IndexerCheckpoint,
    TokenBalance,
    TokenClaim,
    TokenTransfer,
)
from indexer.lag import indexer_lag
from indexer.run import catch_up, follower_from_platform
from tests.indexer import onchain

TABLES = (ChainEvent, TokenTransfer, TokenBalance, TokenClaim, CertificateChainState)


def index() -> int:
    return catch_up(follower_from_platform())


def row_counts() -> dict[str, int]:
    with platform.current().db.unit_of_work() as session:
        return {t.__tablename__: session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def checkpoint_block() -> int:
    with platform.current().db.unit_of_work() as session:
        return session.get_one(IndexerCheckpoint, INDEXER_CHECKPOINT).block_number


def holdings(address: str) -> dict[str, int]:
    with platform.current().db.unit_of_work() as session:
        return {h.token_id: h.balance_wh for h in indexed.holdings(session, address)}


def test_indexing_the_same_blocks_again_writes_nothing(app) -> None:
    alice, bob = onchain.new_wallet(), onchain.new_wallet()
    [token] = onchain.issue(alice.address, 1_000)
    onchain.transfer(alice, bob.address, token, 400)
    onchain.claim(bob, token, 100, b"retired")
    assert index() > 0
    before = row_counts()

    assert index() == 0
    with platform.current().db.unit_of_work() as session:  # forget the checkpoint: every block is read again
        session.execute(delete(IndexerCheckpoint))
    assert index() == 0

    assert row_counts() == before
    assert holdings(alice.address) == {token: 600}
    assert holdings(bob.address) == {token: 300}


def test_a_restarted_indexer_continues_from_its_checkpoint(app) -> None:
    alice = onchain.new_wallet()
    [first] = onchain.issue(alice.address, 1_000)
    index()
    indexed_up_to = checkpoint_block()
    with platform.current().db.unit_of_work() as session:  # a row only a rescan from the start would restore
        session.execute(delete(ChainEvent).where(ChainEvent.event == "CertificateIssued"))

    [second] = onchain.issue(alice.address, 2_000)
    written = catch_up(follower_from_platform())  # a new follower, as after a process restart

    assert written == 3  # CertificateIssued, TransferSingle and BatchCommitted of the second certificate only
    assert checkpoint_block() > indexed_up_to
    with platform.current().db.unit_of_work() as session:
        issued = session.scalars(select(ChainEvent.args["id"].astext).where(ChainEvent.event == "CertificateIssued"))
        assert list(issued) == [second]
    assert holdings(alice.address) == {second: 2_000, first: 1_000}


def test_events_wait_for_the_configured_confirmations(app) -> None:
    alice = onchain.new_wallet()
    index()
    follower = replace(follower_from_platform(), confirmations=3)
    [token] = onchain.issue(alice.address, 1_000)

    with platform.current().db.unit_of_work() as session:
        assert follower.step(session) == 0
    assert holdings(alice.address) == {}

    onchain.mine(3)
    with platform.current().db.unit_of_work() as session:
        assert follower.step(session) == 3  # CertificateIssued, TransferSingle, BatchCommitted
    assert holdings(alice.address) == {token: 1_000}


def test_lag_counts_the_blocks_the_indexer_has_not_read(app) -> None:
    index()
    onchain.mine(5)
    chain = from_settings(platform.current().settings)
    with platform.current().db.unit_of_work() as session:
        assert indexer_lag(session, chain).blocks_behind == 5
    index()
    with platform.current().db.unit_of_work() as session:
        lag = indexer_lag(session, chain)
    assert lag.blocks_behind == 0
    assert lag.indexed_block == lag.head_block == onchain.head()


def test_a_block_range_the_node_refuses_is_read_in_halves(app, monkeypatch) -> None:
    alice = onchain.new_wallet()
    tokens = [token for volume in (1_000, 2_000, 3_000) for token in onchain.issue(alice.address, volume)]
    follower = follower_from_platform()
    node = follower.web3.provider.make_request
    asked: list[tuple[int, int]] = []

    def node_refusing_wide_ranges(method, params):  # like public RPCs that cap eth_getLogs ranges
        if method == "eth_getLogs":
            first, last = int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16)
            asked.append((first, last))
            if last - first > 1:
                return {"jsonrpc": "2.0", "id": 1, "error": {"code": -32005, "message": "range too wide"}}
        return node(method, params)

    monkeypatch.setattr(follower.web3.provider, "make_request", node_refusing_wide_ranges)
    catch_up(follower)

    assert holdings(alice.address) == dict(zip(tokens, (1_000, 2_000, 3_000), strict=True))
    assert any(last - first > 1 for first, last in asked)  # it was refused, then asked narrower ranges


def test_two_indexers_starting_at_once_share_one_checkpoint(app) -> None:
    """Found by tests/test_scale_out.py: the second of two indexers starting on an empty database failed on the
    checkpoint's primary key; now it waits for the first one's and reads on from there."""
    onchain.issue(onchain.new_wallet().address, 1_000)
    database = platform.current().db
    with ThreadPoolExecutor(1) as pool:
        with database.unit_of_work() as first:
            follower_from_platform().step(first)  # inserts the checkpoint, not yet committed
            second = pool.submit(index)
            time.sleep(0.5)
            assert not second.done(), "the second indexer did not wait for the first one's checkpoint"
        assert second.result(timeout=60) == 0  # every event was the first one's
    with database.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(ChainEvent)) > 0
