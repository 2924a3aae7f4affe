"""Shared set-up of the read benchmarks: a scratch database on the machine's PostgreSQL (created, migrated and
dropped), an organization with an API key and devices written directly, and a real gunicorn web server."""

import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil
import psycopg
import requests

from bench.scratch import libpq, scratch_database
from dapp.security import token_hash
from scripts.devstack import free_port

ROOT = Path(__file__).resolve().parent.parent
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/6")


@dataclass
class Stack:
    url: str  # SQLAlchemy URL of the scratch database
    plain: str  # libpq URL of the same
    organization_id: uuid.UUID
    api_key: str


@contextmanager
def scratch_stack() -> Iterator[Stack]:
    """A scratch database with one organization and its API key."""
    with scratch_database() as url:
        plain = libpq(url)
        yield Stack(url, plain, *add_organization(plain))


def add_organization(plain: str) -> tuple[uuid.UUID, str]:
    """A developer organization with an admin and an API key holding every meter-read permission."""
    org, user, key_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    prefix = secrets.token_hex(6)
    key = f"drec_{prefix}_{secrets.token_urlsafe(32).replace('_', '-')}"
    with psycopg.connect(plain) as connection:
        connection.execute(
            "INSERT INTO organization (id, name, type, address) VALUES (%s, %s, 'developer', 'x')",
            (org, f"Bench {org.hex[:8]}"),
        )
        connection.execute(
            "INSERT INTO user_account (id, organization_id, first_name, last_name, email, password_hash,"
            " is_org_admin, is_platform_admin, is_disabled, permissions)"
            " VALUES (%s, %s, 'B', 'B', %s, 'x', true, false, false, '{}')",
            (user, org, f"b-{org.hex[:8]}@bench.example"),
        )
        connection.execute(
            "INSERT INTO api_key (id, organization_id, created_by_id, name, prefix, secret_hash, permissions)"
            " VALUES (%s, %s, %s, 'bench', %s, %s, %s)",
            (key_id, org, user, prefix, token_hash(key), psycopg.types.json.Jsonb({"meter_reads": 3})),
        )
    return org, key


def add_devices(stack: Stack, count: int, onboarded_at: datetime, tag: str) -> list[str]:
    """`count` 5 kW devices in Nairobi written with COPY; returns their external ids."""
    ids = [f"{tag}-{i}" for i in range(count)]
    columns = (
        "id, organization_id, external_id, country_code, commissioning_date, capacity_kw, fuel_code,"
        " device_type_code, latitude, longitude, timezone, onboarded_at"
    )
    with (
        psycopg.connect(stack.plain) as connection,
        connection.cursor() as cursor,
        cursor.copy(f"COPY device ({columns}) FROM STDIN") as copy,
    ):
        for external_id in ids:
            copy.write_row(
                (
                    uuid.uuid4(),
                    stack.organization_id,
                    external_id,
                    "KEN",
                    date(2025, 1, 1),
                    5,
                    "ES100",
                    "TC120",
                    -1.2921,
                    36.8219,
                    "Africa/Nairobi",
                    onboarded_at,
                )
            )
    return ids


@contextmanager
def web_server(stack: Stack, startup_seconds: float = 240) -> Iterator[tuple[str, psutil.Process]]:
    """gunicorn serving the app on a free port with the platform's server settings (`dapp.gunicorn_conf`, as in
    the Procfile) and production's clock; yields its base URL and master process."""
    port = free_port()
    env = {
        **os.environ,
        "DREC_DATABASE_URL": stack.url,
        "DREC_REDIS_URL": REDIS,
        "DREC_VAR_DIR": str(ROOT / "var" / "bench"),
        # As in production, which refuses to start with it: no settable clock (one Redis round trip per request).
        "DREC_ALLOW_CLOCK_CONTROL": "false",
    }
    command = [
        str(Path(sys.prefix) / "bin" / "gunicorn"),
        "-c",
        "python:dapp.gunicorn_conf",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "dapp.app:create_app()",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 - our own interpreter's gunicorn
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, process, startup_seconds)
        yield base, psutil.Process(process.pid)
    finally:
        process.terminate()
        process.wait(30)


def _wait(base: str, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            if requests.get(f"{base}/healthz", timeout=5).ok:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    raise TimeoutError("gunicorn did not answer")


class MemoryPeak:
    """Samples the resident memory of a process tree (gunicorn master and workers) every 50 ms.

    The tree is listed once, when sampling starts: listing it walks every process of the machine, about ten
    milliseconds of CPU per batch taken from the server being measured if done at each sample."""

    def __init__(self, process: psutil.Process) -> None:
        self.process, self.peak, self._stop = process, 0, threading.Event()
        self.each: dict[int, int] = {}  # the peak of each process of the tree, by pid
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "MemoryPeak":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        tree = [self.process, *self.process.children(recursive=True)]
        while not self._stop.is_set():
            sizes = {p.pid: p.memory_info().rss for p in tree if p.is_running()}
            self.peak = max(self.peak, sum(sizes.values()))
            self.each = {pid: max(rss, self.each.get(pid, 0)) for pid, rss in sizes.items()}
            time.sleep(0.05)


class CpuMeter:
    """CPU seconds spent while the block runs, per side: the web server (master and workers), PostgreSQL (every
    `postgres` process of the machine: backends, WAL writer, checkpointer) and this process (the clients, and the
    memory sampler where one runs).

    A process that ends inside the block takes its CPU time with it: keep database connections open until the
    block has ended.
    """

    def __init__(self, web: psutil.Process | None = None) -> None:
        self.web = web
        self.spent: dict[str, float] = {}

    def __enter__(self) -> "CpuMeter":
        self._start = self._sample()
        return self

    def __exit__(self, *_: object) -> None:
        end = self._sample()
        for side, processes in end.items():
            self.spent[side] = sum(t - self._start[side].get(pid, 0.0) for pid, t in processes.items())

    def per(self, count: int) -> str:
        """Milliseconds per unit of work (request or batch), per side."""
        return ", ".join(f"{side} {seconds / count * 1000:.1f}" for side, seconds in self.spent.items())

    def _sample(self) -> dict[str, dict[int, float]]:
        web = [self.web, *self.web.children(recursive=True)] if self.web else []
        postgres = [p for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"]
        return {"web": _cpu(web), "PostgreSQL": _cpu(postgres), "clients": _cpu([psutil.Process()])}


def _cpu(processes: list[psutil.Process]) -> dict[int, float]:
    times = {}
    for process in processes:
        try:
            cpu = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        times[process.pid] = cpu.user + cpu.system
    return times


def server_shape() -> str:
    from dapp import gunicorn_conf

    return f"gunicorn {gunicorn_conf.workers} workers × {gunicorn_conf.threads} threads"


def recent_ends(count: int, step: timedelta) -> list[datetime]:
    """`count` instants `step` apart, the last a minute ago (reads must not end in the future)."""
    last = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    return [last - step * (count - 1 - i) for i in range(count)]
