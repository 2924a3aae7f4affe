"""The chain job in a test: runs with a chosen retry policy or an unreachable node, outbox and chain read-outs,
and anvil mining by hand."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from sqlalchemy import select

from dapp import platform
from dapp.chain import contracts, outbox, sending
from dapp.chain.contracts import Chain
from dapp.jobs.outbox import HANDLERS
from dapp.models.chain import ChainTransaction, OutboxEntry, OutboxKind
from dapp.models.issuance import Certificate
from scripts import devstack

POLICY = outbox.RetryPolicy(max_attempts=4, base_seconds=60, max_seconds=600, jitter=0.2)
ONE_TRY = replace(POLICY, max_attempts=1)


def new_run(chain: Chain | None = None, policy: outbox.RetryPolicy = POLICY, batch_size: int = 10) -> sending.Run:
    """A run of the chain job (the test chain unless `chain`) with every handler, waiting at most 10 s for a
    receipt and minting at most `batch_size` certificates a transaction."""
    p = platform.current()
    chain = chain or contracts.from_settings(p.settings)
    return sending.Run(p.db, chain, p.clock, p.content, policy, HANDLERS, 10, p.settings.secret_key, batch_size)


def unreachable(settings) -> Chain:
    """The test chain's deployment behind an address where no node listens."""
    return Chain(f"http://127.0.0.1:{devstack.free_port()}", settings.deployment_file, settings.platform_private_key)


def outbox_entries(kind: str | None = OutboxKind.MINT_CERTIFICATE) -> list[OutboxEntry]:
    """The outbox entries of one kind (every kind for None), oldest first, detached."""
    query = select(OutboxEntry).order_by(OutboxEntry.id)
    return _detached(query.where(OutboxEntry.kind == kind) if kind else query)


def mint_entries() -> list[OutboxEntry]:
    return outbox_entries()


def transactions() -> list[ChainTransaction]:
    return _detached(select(ChainTransaction).order_by(ChainTransaction.id))


def certificate_rows(ids: list) -> list[Certificate]:
    return _detached(select(Certificate).where(Certificate.id.in_(ids)), order=ids)


def _detached(query, order: list | None = None) -> list:
    with platform.current().db.unit_of_work() as session:
        rows = list(session.scalars(query))
        session.expunge_all()
    return sorted(rows, key=lambda row: order.index(row.id)) if order else rows


def token(chain: Chain):
    return chain.contract("DrecCertificates").functions


def rpc(chain: Chain, method: str, *params) -> object:
    """An anvil RPC call (automine, mining, state)."""
    response = chain.web3.provider.make_request(method, list(params))
    assert "error" not in response, response
    return response.get("result")


@contextmanager
def mining_by_hand(chain: Chain) -> Iterator[Callable[[], object]]:
    """Blocks are mined only when the test calls the function given (`evm_mine`), as on a slow chain; afterwards
    what is left in the pool is mined and automine is on again."""
    rpc(chain, "evm_setAutomine", False)
    try:
        yield lambda: rpc(chain, "evm_mine")
    finally:
        rpc(chain, "evm_mine")
        rpc(chain, "evm_setAutomine", True)
