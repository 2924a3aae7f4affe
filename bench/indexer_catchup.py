"""R-NF-5: the indexer catches up 10,000 events from scratch, vs. the raw `eth_getLogs` calls alone, same run.

On a fresh anvil with the contracts deployed by `scripts/deploy.py`, the platform signer issues 4,000
certificates in batches of 100 (CertificateIssued + TransferSingle each, one BatchCommitted per batch: 8,040
events), makes 1,000 transfers (1,000 TransferSingle) and 500 claims (TransferSingle + ClaimSingle: 1,000
events). Then, three times on an emptied scratch database (created on the server at TEST_DATABASE_URL, default
the machine's PostgreSQL):

- reference: the `eth_getLogs` calls the indexer makes, over the same block ranges, and nothing else;
- indexer: `indexer.run.catch_up` from the deployment block to the head (decode, store, balances, claims,
  checkpoint; one transaction per range of blocks, as in production).

Prints medians, events/s and the ratio; the goal is ≤ 10 s for the catch-up.
Usage: `.venv/bin/python -m bench.indexer_catchup` (after `make setup`).
"""

import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from bench.scratch import scratch_database
from dapp import platform
from dapp.chain.certificate_data import metadata_cid_fields
from dapp.chain.contracts import Chain
from dapp.models.chain import ChainEvent
from dapp.platform import Platform
from dapp.settings import DEV_PLATFORM_KEY, Settings
from indexer.follower import BLOCKS_PER_QUERY
from indexer.run import catch_up, follower_from_platform
from scripts import devstack

CERTIFICATES, BATCH, TRANSFERS, CLAIMS = 4_000, 100, 1_000, 500
RUNS = 3
GOAL_SECONDS = 10.0
RECIPIENT = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"  # anvil's account 2
CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
INDEXER_TABLES = "chain_event, token_transfer, token_balance, token_claim, certificate_chain_state, indexer_checkpoint"


def certificate(owner: str) -> tuple[Any, ...]:
    period = (1_780_000_000, 1_780_086_400)
    return (secrets.token_bytes(32), owner, 1_000_000, *period, bytes(16), bytes(32), *metadata_cid_fields(CID))


def send_all(chain: Chain, calls: list[Any], gas: int) -> None:
    """Sign and send `calls` from the platform signer with consecutive nonces; wait for the last receipt."""
    web3, signer = chain.web3, chain.signer
    nonce = web3.eth.get_transaction_count(signer.address, "pending")
    common = {"from": signer.address, "gas": gas, "gasPrice": web3.eth.gas_price, "chainId": chain.web3.eth.chain_id}
    last = None
    for offset, call in enumerate(calls):
        signed = signer.sign_transaction(call.build_transaction({**common, "nonce": nonce + offset}))
        last = web3.eth.send_raw_transaction(signed.raw_transaction)
    if last is not None and web3.eth.wait_for_transaction_receipt(last, timeout=120)["status"] != 1:
        raise RuntimeError("the last transaction of the batch reverted")


def generate(chain: Chain, certificates: int = CERTIFICATES, transfers: int = TRANSFERS, claims: int = CLAIMS) -> None:
    contract = chain.contract("DrecCertificates").functions
    owner = chain.signer.address
    batches = [[certificate(owner) for _ in range(BATCH)] for _ in range(certificates // BATCH)]
    send_all(chain, [contract.issueBatch(batch) for batch in batches], gas=15_000_000)
    ids = [int.from_bytes(c[0], "big") for batch in batches for c in batch]
    send_all(chain, [contract.safeTransferFrom(owner, RECIPIENT, i, 1_000, b"") for i in ids[:transfers]], 200_000)
    claim_data = b'{"beneficiary":"Kisumu school","purpose":"bench"}'
    send_all(chain, [contract.claim(owner, i, 500, claim_data) for i in ids[-claims:]], 200_000)


def raw_get_logs(chain: Chain, first: int, last: int) -> int:
    """The reference: the indexer's `eth_getLogs` calls over [first, last], results parsed, nothing else."""
    addresses = [entry["address"] for entry in chain.deployment["contracts"].values()]
    count = 0
    for start in range(first, last + 1, BLOCKS_PER_QUERY):
        query = {"fromBlock": hex(start), "toBlock": hex(min(last, start + BLOCKS_PER_QUERY - 1)), "address": addresses}
        count += len(chain.web3.provider.make_request("eth_getLogs", [query])["result"])  # type: ignore[arg-type]
    return count


def timed(work: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def measure(chain: Chain) -> None:
    first, last = chain.deployment["block_number"], chain.web3.eth.block_number
    db = platform.current().db
    references, catch_ups = [], []
    for run in range(1, RUNS + 1):
        with db.unit_of_work() as session:
            session.execute(text(f"TRUNCATE {INDEXER_TABLES}"))
        reference, logs = timed(lambda: raw_get_logs(chain, first, last))
        catch_up_seconds, written = timed(lambda: catch_up(follower_from_platform()))
        with db.unit_of_work() as session:
            assert written == logs == session.scalar(select(func.count()).select_from(ChainEvent)), (written, logs)
        references.append(reference)
        catch_ups.append(catch_up_seconds)
        print(
            f"run {run}: {written:,} events in blocks {first}–{last}: eth_getLogs {reference:.3f} s, "
            f"indexer {catch_up_seconds:.3f} s"
        )
    reference, indexer = statistics.median(references), statistics.median(catch_ups)
    verdict = "ok" if indexer <= GOAL_SECONDS else f"over {GOAL_SECONDS:.0f} s"
    print(
        f"median: eth_getLogs {reference:.3f} s, indexer catch-up {indexer:.3f} s ({written / indexer:,.0f} events/s), "
        f"ratio {indexer / reference:.1f}× — goal ≤ {GOAL_SECONDS:.0f} s: {verdict}"
    )


@contextmanager
def fresh_chain() -> Iterator[tuple[Chain, Path]]:
    """A fresh anvil with the contracts deployed, and a scratch folder (holding the deployment file)."""
    rpc_url, stop_anvil = devstack.start_anvil(None)
    try:
        with tempfile.TemporaryDirectory() as folder:
            deployment = Path(folder) / "deployment.json"
            devstack.deploy(rpc_url, deployment)
            yield Chain(rpc_url, deployment, DEV_PLATFORM_KEY), Path(folder)
    finally:
        stop_anvil()


def main() -> None:
    with fresh_chain() as (chain, _folder):
        started = time.perf_counter()
        generate(chain)
        print(f"generated the events in {time.perf_counter() - started:.1f} s")
        settings = Settings(
            _env_file=None, chain_rpc_url=chain.rpc_url, deployment_file=chain.deployment_file, confirmations=0
        )
        with scratch_database() as url:
            platform.install(Platform(settings.model_copy(update={"database_url": url})))
            measure(chain)


if __name__ == "__main__":
    main()
