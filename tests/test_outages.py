"""Outages of PostgreSQL, Redis and the chain with real processes (issue 18): web, worker, chain worker,
scheduler and indexer run against servers of this test's own (never the machine's shared ones), a meter gateway
sends reads all along, and one server stops for OUTAGE_SECONDS (60 unless DREC_TEST_OUTAGE_SECONDS says) and
comes back.

During the outage the web server answers 503 problem documents where it needs the missing server (the platform
clock is settable, so every API call needs Redis), never a 500; afterwards every process is still running and
working again, every read the API accepted is stored exactly once, and certificates certified just before the
outage are each minted exactly once (their on-chain balance is their volume).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from redis import Redis
from rq.registry import FinishedJobRegistry
from sqlalchemy import select

from dapp import migrations, platform
from dapp.chain.contracts import Chain
from dapp.models.chain import INDEXER_CHECKPOINT, IndexerCheckpoint
from dapp.models.reads import MeterRead
from dapp.settings import Settings
from scripts import devstack
from tests.chain.test_worker_faults import kill, wait_for
from tests.factories.accounts import Org, make_org
from tests.factories.certificates import pending_certificates
from tests.factories.devices import make_device
from tests.factories.reads import ongoing
from tests.support.chain import mint_entries, rpc, token

ROOT = Path(__file__).resolve().parent.parent
OUTAGE_SECONDS = float(os.environ.get("DREC_TEST_OUTAGE_SECONDS", "60"))
ONBOARDED = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)  # 09:00 in Nairobi: a day of daylight ahead
STARTUP_SECONDS = 300  # five processes importing the application on a loaded machine
RECOVERY_SECONDS = 120  # RQ's own reconnection waits up to 30 s after a long outage; loaded machines are slow
DREC = "from dapp.cli import main; main()"
PROCESSES = {
    "worker": ["worker", "default", "bulk", "email"],
    "chain": ["worker", "chain"],
    "scheduler": ["scheduler"],
    "indexer": ["indexer"],
}


@dataclass
class Server:
    """A restartable server of this test's own: `stop` takes it away, `start` brings it back (same data, same
    address)."""

    start_server: Callable[[], tuple[str, devstack.Stop]]
    url: str = ""
    stop: devstack.Stop = field(default=lambda: None)

    def start(self) -> None:
        url, self.stop = self.start_server()
        assert self.url in ("", url), "the server came back at another address"
        self.url = url


@dataclass
class Stack:
    servers: dict[str, Server]
    settings: Settings


@pytest.fixture(scope="module")
def stack(services: dict[str, str]) -> Iterator[Stack]:
    # Not under pytest's folder (private to root): the embedded PostgreSQL runs as a user of its own.
    var = Path(tempfile.mkdtemp(prefix="drec-outages-"))
    var.chmod(0o755)
    redis_port, anvil_port = devstack.free_port(), devstack.free_port()
    servers = {
        "postgres": Server(lambda: devstack.start_postgres(var / "pg")),
        "redis": Server(lambda: devstack.start_redis(var, redis_port)),
        "chain": Server(lambda: devstack.start_anvil(var / "chain" / "state.json", anvil_port)),
    }
    try:
        for server in servers.values():
            server.start()
        migrations.upgrade(servers["postgres"].url)
        deployment = Path(services["deployment_file"])
        key = Settings(_env_file=None).platform_private_key
        shared, node = Chain(services["rpc_url"], deployment, key), Chain(servers["chain"].url, deployment, key)
        rpc(node, "anvil_loadState", rpc(shared, "anvil_dumpState"))  # the deployed contracts
        settings = Settings(
            _env_file=None,
            database_url=servers["postgres"].url,
            redis_url=servers["redis"].url,
            chain_rpc_url=servers["chain"].url,
            deployment_file=deployment,
            var_dir=var,
        )
        yield Stack(servers, settings)
    finally:
        for server in reversed(servers.values()):
            server.stop()
        shutil.rmtree(var, ignore_errors=True)


@dataclass
class Running:
    processes: dict[str, subprocess.Popen[bytes]]
    web_url: str
    org: Org

    @property
    def api_key(self) -> str:
        return self.org.api_key


@contextmanager
def acting_on(stack: Stack) -> Iterator[None]:
    """Make the private stack this process's platform for a while (to make organizations and devices)."""
    previous = platform.current()
    platform.install(platform.Platform(stack.settings))
    try:
        yield
    finally:
        platform.current().db.dispose()
        platform.install(previous)


@pytest.fixture(scope="module")
def running(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The five processes of `make up` on the private stack, and an organization's API key to send reads with."""
    tmp_path = tmp_path_factory.mktemp("processes")
    with acting_on(stack):
        platform.current().clock.set(ONBOARDED)
        org = make_org("Gateway")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DREC_DATABASE_URL": stack.settings.database_url,
        "DREC_REDIS_URL": stack.settings.redis_url,
        "DREC_CHAIN_RPC_URL": stack.settings.chain_rpc_url,
        "DREC_DEPLOYMENT_FILE": str(stack.settings.deployment_file),
        "DREC_VAR_DIR": str(stack.settings.var_dir),
        "DREC_SCHEDULER_TICK_SECONDS": "1",
        "DREC_INDEXER_POLL_SECONDS": "0.5",
        # mints retried every few seconds through the outage, never given up (ADR 0052's policy, shortened)
        "DREC_OUTBOX_RETRY_BASE_SECONDS": "1",
        "DREC_OUTBOX_RETRY_MAX_SECONDS": "8",
        "DREC_OUTBOX_MAX_ATTEMPTS": "100",
        "DREC_WEB_WORKERS": "1",
        "DREC_WEB_THREADS": "2",
    }
    port = devstack.free_port()
    gunicorn = [
        str(Path(sys.prefix) / "bin" / "gunicorn"),
        "-c",
        "python:dapp.gunicorn_conf",
        "-b",
        f"127.0.0.1:{port}",
    ]
    commands = {
        "web": [*gunicorn, "dapp.app:create_app()"],
        **{name: [sys.executable, "-c", DREC, *args] for name, args in PROCESSES.items()},
    }
    started = {}
    for name, command in commands.items():
        with (tmp_path / f"{name}.log").open("ab") as log:
            started[name] = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield Running(started, f"http://127.0.0.1:{port}", org)
    finally:
        for process in started.values():
            kill(process)


@dataclass
class Gateway:
    """A meter gateway: one read a minute of meter time, sent until answered 200; a 503 means "send it again".
    Each read carries an `Idempotency-Key`, so a read whose answer was lost (the client gave up while the server
    stored it) gets its first answer when sent again. `accepted` holds the end of every read the API stored
    (accepted, flagged or the baseline)."""

    url: str
    key: str
    external_id: str
    answers: list[int] = field(default_factory=list)
    accepted: list[datetime] = field(default_factory=list)
    odd: list[str] = field(default_factory=list)  # anything but 200 or a 503 problem document
    stopped: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        session = requests.Session()
        end = ONBOARDED + timedelta(hours=1)
        while not self.stopped.is_set():
            try:
                response = session.post(
                    f"{self.url}/api/v1/devices/{self.external_id}/reads",
                    json=ongoing("delta", (end, 10)),
                    headers={
                        "Authorization": f"Bearer {self.key}",
                        "Idempotency-Key": f"{self.external_id}-{end.isoformat()}",
                    },
                    timeout=120,  # the first request loads the application: slow on a loaded machine
                )
            except requests.RequestException as error:
                self.odd.append(repr(error))
                time.sleep(0.5)
                continue
            self.answers.append(response.status_code)
            if response.status_code == 200:
                [result] = response.json()["results"]
                if result["status"] != "rejected":  # accepted, flagged or the baseline: stored
                    self.accepted.append(end)
                end += timedelta(minutes=1)
            elif response.status_code == 409 and response.json().get("code") == "idempotency_key_in_use":
                pass  # the first send of this read is still being answered: send it again
            elif response.status_code != 503 or response.headers["Content-Type"] != "application/problem+json":
                self.odd.append(f"{response.status_code} {response.text[:300]}")
            time.sleep(0.1)


@pytest.mark.parametrize("server", ["redis", "postgres", "chain"])
def test_every_process_survives_an_outage_and_nothing_accepted_is_lost_or_done_twice(
    app, stack: Stack, running: Running, server: str
) -> None:
    with acting_on(stack):
        platform.current().clock.set(ONBOARDED)
        device = make_device(running.org, f"METER-{server}")
        platform.current().clock.set(ONBOARDED + timedelta(days=1))
    gateway = Gateway(running.web_url, running.api_key, device.external_id)
    sender = threading.Thread(target=gateway.run, daemon=True)
    sender.start()
    wait_for(lambda: len(gateway.accepted) >= 5, "the web server accepts reads", STARTUP_SECONDS)
    wait_for(lambda: _finished_jobs(stack, "default") > 0 and _finished_jobs(stack, "chain") > 0, "jobs run")
    gateway.odd.clear()  # the web worker loads the application on its first request: slow reads while it starts

    with acting_on(stack):  # certificates to mint, the chain job asked for by the scheduler's next tick
        pending = pending_certificates(app, tag=f"-{server}")
        platform.current().clock.set(ONBOARDED + timedelta(days=4))
    stack.servers[server].stop()
    outage_began = len(gateway.answers)
    time.sleep(OUTAGE_SECONDS)
    during = gateway.answers[outage_began:]
    stack.servers[server].start()
    resumed = len(gateway.accepted)
    finished_before = {queue: _finished_jobs(stack, queue) for queue in ("default", "chain")}
    rpc(_chain(stack), "evm_mine")
    block = _chain(stack).web3.eth.block_number

    wait_for(lambda: len(gateway.accepted) >= resumed + 5, "reads are accepted again", RECOVERY_SECONDS)
    for queue in ("default", "chain"):
        wait_for(lambda q=queue: _finished_jobs(stack, q) > finished_before[q], f"{queue} jobs run", RECOVERY_SECONDS)
    wait_for(lambda: _indexed_block(stack) >= block, "the indexer follows the chain again", RECOVERY_SECONDS)
    with acting_on(stack):
        wait_for(lambda: {e.status for e in mint_entries()} == {"done"}, "all is minted", RECOVERY_SECONDS)
        for token_id, volume in zip(pending.token_ids, pending.volumes_wh, strict=True):
            assert token(_chain(stack)).balanceOf(pending.wallet, token_id).call() == volume, "minted twice"
    gateway.stopped.set()
    sender.join(60)

    assert {name: process.poll() for name, process in running.processes.items()} == dict.fromkeys(running.processes)
    assert gateway.odd == []
    if server in ("redis", "postgres"):
        assert 503 in during, "the web server answered nothing but 200 while a server it needs was down"
    stored = _stored_ends(stack, device.id)
    assert len(stored) == len(set(stored)), "a read was stored twice"
    assert sorted(stored) == sorted(gateway.accepted), "a read the API accepted was not stored"


def _chain(stack: Stack) -> Chain:
    s = stack.settings
    return Chain(s.chain_rpc_url, s.deployment_file, s.platform_private_key)


def _finished_jobs(stack: Stack, queue: str) -> int:
    connection = Redis.from_url(stack.settings.redis_url)
    return FinishedJobRegistry(queue, connection=connection).count


def _indexed_block(stack: Stack) -> int:
    database = platform.Platform(stack.settings).db
    try:
        with database.unit_of_work() as session:
            checkpoint = session.get(IndexerCheckpoint, INDEXER_CHECKPOINT)
            return checkpoint.block_number if checkpoint else -1
    finally:
        database.dispose()


def _stored_ends(stack: Stack, device_id: uuid.UUID) -> list[datetime]:
    database = platform.Platform(stack.settings).db
    try:
        with database.unit_of_work() as session:
            return list(session.scalars(select(MeterRead.period_end).where(MeterRead.device_id == device_id)))
    finally:
        database.dispose()
