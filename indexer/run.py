"""The indexer process: `python -m indexer.run` follows the deployed contracts until stopped."""

import logging

from dapp import logs, platform
from dapp.chain import contracts
from dapp.outages import keep_running
from indexer.follower import Follower, LogsUnavailable

log = logging.getLogger(__name__)


def follower_from_platform() -> Follower:
    p = platform.current()
    chain = contracts.reader(p.settings)
    return Follower(
        web3=chain.web3,
        contracts={name: chain.contract(name) for name in chain.deployment["contracts"]},
        start_block=chain.deployment["block_number"],
        confirmations=p.settings.confirmations,
    )


def catch_up(follower: Follower) -> int:
    """Index until the follower reaches the confirmed head; returns the number of events written."""
    p = platform.current()
    total = 0
    while True:
        with p.db.unit_of_work() as session:
            written = follower.step(session)
            lag = follower.lag(session)
        total += written
        if lag <= follower.confirmations:
            return total


def replay_from(block: int) -> int:
    """Index again from `block` (`drec indexer replay`): its events and later ones are forgotten, with their
    effects, and the running indexer writes them again from the chain. Returns the first block to be indexed."""
    follower = follower_from_platform()
    with platform.current().db.unit_of_work() as session:
        return follower.replay_from(session, block)


def main() -> None:
    logs.configure()
    follower = follower_from_platform()

    def step() -> None:
        written = catch_up(follower)
        if written:
            log.info("indexed %s events", written)

    # The node, the database or Redis away: the step is tried again with backoff (dapp.outages).
    keep_running(step, "indexer", platform.current().settings.indexer_poll_seconds, also=(LogsUnavailable,))


if __name__ == "__main__":
    main()
