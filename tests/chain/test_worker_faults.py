"""Faults of the minting pipeline with real processes (R-ISS-6, ADR 0053): a `chain` worker killed (SIGKILL)
between sending its transaction and storing the receipt, and a chain node that stops and comes back.

Every certificate must be minted exactly once: its on-chain balance equals its certified Wh, and the platform
account sent one mint transaction, not two. No pause point is built into the product for this: the tests make
the chain slow (anvil mines only when told) or absent, as a real chain can be.
"""

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rq.job import Job

from dapp import platform
from dapp.chain.contracts import Chain
from dapp.chain.jobs import submit_outbox_job
from dapp.reservations import onchain as reservation_log
from scripts import devstack
from tests.factories.certificates import pending_certificates
from tests.support.chain import mining_by_hand, mint_entries, new_run, rpc, token
from tests.support.processes import DREC, environment, launch

ROOT = Path(__file__).resolve().parents[2]
Start = Callable[..., subprocess.Popen]


@pytest.fixture
def start(settings, tmp_path: Path) -> Iterator[Start]:
    """Start a `drec` process (worker, scheduler) on this test's database, Redis and IPFS folder; every process
    started is killed with its descendants at the end."""
    started: list[subprocess.Popen] = []

    def run(*args: str, rpc_url: str | None = None, **overrides: str) -> subprocess.Popen:
        env = environment(settings, rpc_url, **overrides)
        process = launch([*DREC, *args], env, tmp_path / f"{args[0]}-{len(started)}.log")
        started.append(process)
        return process

    yield run
    for process in started:
        kill(process)


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the process and every descendant, as a crash of its machine would: an RQ worker runs each job in a
    forked work horse that has a session of its own, so killing the process group is not enough."""
    for pid in [*_descendants(process.pid), process.pid]:
        with contextlib.suppress(ProcessLookupError):  # it ended by itself meanwhile
            os.kill(pid, signal.SIGKILL)
    process.wait()


def _descendants(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:  # the field after the state is the parent's pid
            children.append(int(stat.parent.name))
    return [grandchild for child in children for grandchild in _descendants(child)] + children


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.2)


def enqueue_chain_job() -> Job:
    return platform.current().queue("chain").enqueue(submit_outbox_job)


@pytest.mark.parametrize("mined_while_down", [True, False], ids=["mined-while-down", "pending-at-restart"])
def test_a_worker_killed_before_storing_its_receipt_mints_every_certificate_once(
    app, settings, chain, start, mined_while_down
) -> None:
    pending = pending_certificates(app)
    assert reservation_log.send_log_entry(new_run()) == 1
    sender = chain.signer.address
    nonce = chain.mined_nonce(sender)
    with mining_by_hand(chain) as mine:
        worker = start("worker", "chain")
        enqueue_chain_job()
        # The worker has recorded and broadcast its transaction and now waits for a receipt that does not come.
        wait_for(lambda: _sent_and_in_pool(chain), "the mint transaction is in the pool")
        kill(worker)
        [tx_hash] = {e.tx_hash for e in mint_entries()}
        assert {e.status for e in mint_entries()} == {"sent"}
        assert chain.receipt(tx_hash) is None
        if mined_while_down:
            mine()
        start("worker", "chain")
        job = enqueue_chain_job()
        if not mined_while_down:
            wait_for(lambda: job.get_status(refresh=True) == "started", "the restarted worker runs the job")
            time.sleep(1)  # it looks the transaction up, finds it in the pool and waits for its receipt
            assert {e.status for e in mint_entries()} == {"sent"}
            mine()
        wait_for(lambda: job.get_status(refresh=True) == "finished", "the restarted worker settles the mint")

    assert job.latest_result().return_value["in_flight"] == 1
    assert chain.mined_nonce(sender) == nonce + 1, "the platform account sent a second transaction"
    assert [(e.status, e.tx_hash) for e in mint_entries()] == [("done", tx_hash)] * 3
    for token_id, volume in zip(pending.token_ids, pending.volumes_wh, strict=True):
        assert token(chain).balanceOf(pending.wallet, token_id).call() == volume


def test_minting_resumes_when_the_chain_comes_back_and_the_outage_spent_few_attempts(
    app, settings, chain, start, tmp_path: Path
) -> None:
    pending = pending_certificates(app)
    state = tmp_path / "chain" / "state.json"
    port = devstack.free_port()
    url, stop_anvil = devstack.start_anvil(state, port)
    try:
        node = Chain(url, settings.deployment_file, settings.platform_private_key)
        rpc(node, "anvil_loadState", rpc(chain, "anvil_dumpState"))  # the test chain's contracts and accounts
        time.sleep(1.5)  # --state-interval 1: the state file has them
        stop_anvil()  # SIGTERM: anvil writes its state and exits

        retries = {"outbox_retry_base_seconds": "1", "outbox_retry_max_seconds": "4", "outbox_retry_jitter": "0"}
        start("worker", "chain", rpc_url=url, outbox_max_attempts="50", **retries)
        start("scheduler", rpc_url=url, scheduler_tick_seconds="1")
        wait_for(lambda: max(e.attempts for e in mint_entries()) >= 2, "mints were tried twice while down")
        time.sleep(6)  # the scheduler keeps ticking every second while the chain is down
        during = mint_entries()
        assert all(e.status == "pending" for e in during)
        assert all(e.last_error.startswith("ConnectionError") for e in during)
        # Backoff of 1, 2, 4, 4… s: at most 5 tries in ~8 s of outage, not one per tick.
        assert max(e.attempts for e in during) <= 5

        url, stop_anvil = devstack.start_anvil(state, port)  # the same node, the same chain, back again
        wait_for(lambda: all(e.status == "done" for e in mint_entries()), "every certificate is minted")
        after = mint_entries()
        assert all(e.attempts >= 3 for e in after), "the failed tries were not recorded"  # ≥ 2 failed + the good one
        for token_id, volume in zip(pending.token_ids, pending.volumes_wh, strict=True):
            assert token(node).balanceOf(pending.wallet, token_id).call() == volume
    finally:
        stop_anvil()  # (the worker and the scheduler are killed by the fixture)


def _sent_and_in_pool(chain: Chain) -> bool:
    entries = mint_entries()
    return bool(entries) and all(e.status == "sent" for e in entries) and chain.is_known(entries[0].tx_hash)
