"""Whether each server the platform depends on answers: PostgreSQL, Redis, the chain node (and the IPFS node when
one is configured). `/readyz` and `drec health` ask the same questions (issue 19)."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import text

from dapp.chain import contracts
from dapp.outages import OUTAGE_ERRORS
from dapp.platform import Platform


def _database(p: Platform) -> None:
    with p.db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _redis(p: Platform) -> None:
    p.redis.ping()


QUICK_CHAIN_SECONDS = 3.0


def quick_chain(settings: Any, *, signing: bool = False) -> contracts.Chain:
    """The chain adapter for questions a person or a probe waits for (`/readyz`, `/metrics`, `drec health`, the
    dashboard): a stalled node costs one try of a few seconds, not the 30 s and five retries a worker grants. It
    unlocks the platform's key only when `signing` (the dashboard names the signer)."""
    chain = contracts.from_settings(settings) if signing else contracts.reader(settings)
    return replace(chain, timeout_seconds=QUICK_CHAIN_SECONDS, retries=False)


def _chain(p: Platform) -> None:
    chain = quick_chain(p.settings)
    if int(chain.web3.eth.chain_id) != p.settings.chain_id:
        raise contracts.ChainUnavailable(f"the node at {chain.rpc_url} serves another chain id")


# A node that answers garbage raises ValueError in web3's decoding.
PROBE_ERRORS: tuple[type[BaseException], ...] = (*OUTAGE_ERRORS, ValueError)
PROBES: dict[str, Callable[[Platform], None]] = {"database": _database, "redis": _redis, "chain": _chain}


def dependency_problems(p: Platform) -> dict[str, str | None]:
    """Each dependency's name → None if it answers, else what went wrong (no secrets: error types and messages of
    connection failures)."""
    problems: dict[str, str | None] = {}
    for name, probe in PROBES.items():
        try:
            probe(p)
            problems[name] = None
        except PROBE_ERRORS as error:
            problems[name] = f"{type(error).__name__}: {str(error)[:200]}"
    return problems
