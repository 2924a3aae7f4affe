"""Issue 21 item 4: window-to-token latency, from the instant a window closes (platform clock) to its certificates
minted and indexed, with the real processes: `drec worker default bulk email`, `drec worker chain`, `drec
scheduler` and `drec indexer` (the Procfile's), the default scheduler tick and confirmations as configured.

A scratch database (TEST_DATABASE_URL's server), a Redis and an anvil of the benchmark's own (the contracts deployed
with Ape, then a block every second). One reservation of DEVICES devices (by COPY), hourly windows, an
accepted 400 Wh read per device and hour. For each of WINDOWS windows the platform clock is set LEAD_SECONDS
before the window's end, and the benchmark polls the database until every certificate of the window is minted
(the indexer has recorded its mint); the latency is that instant minus the instant the window closed. Asserts one
certificate of DEVICES × 400 Wh per window. Prints p50, p95 and the worst (goal p95 ≤ 10 s) with the load, and
the resident memory of each process.
Usage: `.venv/bin/python -m bench.window_latency [devices] [windows]`.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import psycopg
import requests
from sqlalchemy import text

from bench.late_pass import copy_devices
from bench.scratch import libpq, scratch_database
from dapp import platform
from dapp.reads import partitions
from dapp.settings import Settings
from scripts import devstack

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 6, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
LEAD_SECONDS = 3.0
TIMEOUT_SECONDS = 180.0
GOAL_SECONDS = 10.0
PROCESSES = (["worker", "default", "bulk", "email"], ["worker", "chain"], ["scheduler"], ["indexer"])
WALLET = "0x" + "22" * 20
MINTED = text("""
SELECT count(*) FILTER (WHERE status = 'minted') AS minted, count(*) AS made, coalesce(sum(volume_wh), 0) AS wh
FROM certificate WHERE reservation_id = :reservation AND window_start = :start
""")


def load(url: str, devices: int, hours: int) -> uuid.UUID:
    """One developer's devices, a buyer's hourly reservation of all of them from T0, an accepted read per hour."""
    developer, buyer, reservation = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    pairs = [(uuid.uuid4(), reservation, None) for _ in range(devices)]
    with psycopg.connect(libpq(url)) as connection:
        for org, kind in ((developer, "developer"), (buyer, "buyer")):
            connection.execute(
                "INSERT INTO organization (id, name, type, address) VALUES (%s, %s, %s, 'x')", (org, kind, kind)
            )
        copy_devices(connection, developer, pairs)
        connection.execute(
            "INSERT INTO reservation (id, buyer_organization_id, name, period_start, period_end, frequency, timezone,"
            " authority_to_exceed, standard, wallet_address, issued_until, created_at, split_rule)"
            " VALUES (%s, %s, 'latency', %s, %s, 'hourly', 'UTC', true, 'D-REC', %s, %s, %s, 'split-time/1')",
            (reservation, buyer, T0, T0 + timedelta(days=2), WALLET, T0, T0),
        )
        with connection.cursor().copy(
            "COPY reservation_device (id, reservation_id, device_id, active_from, active_until) FROM STDIN"
        ) as copy:
            for device, _, _ in pairs:
                copy.write_row((uuid.uuid4(), reservation, device, T0, T0 + timedelta(days=2)))
        columns = "device_id, read_type, status, period_start, period_end, value_wh, energy_wh, rule_version, "
        with connection.cursor().copy(f"COPY meter_read ({columns}received_at) FROM STDIN") as copy:
            for device, _, _ in pairs:
                for n in range(hours):
                    start = T0 + n * HOUR
                    copy.write_row((device, "delta", "accepted", start, start + HOUR, 400, 400, "max-energy/1", start))
        connection.execute("ANALYZE")
    return reservation


@contextmanager
def chain(var: Path) -> Iterator[tuple[str, Path]]:
    """anvil mining a block every second, with the contracts deployed; its RPC URL and deployment file."""
    port = devstack.free_port()
    command = [str(devstack.anvil_path()), "--host", "127.0.0.1", "--port", str(port)]
    process = devstack.spawn([*command, "--chain-id", str(devstack.CHAIN_ID)], var / "anvil.log")
    url = f"http://127.0.0.1:{port}"
    try:
        devstack.wait_until(lambda: devstack.chain_id(url) == devstack.CHAIN_ID, "anvil", process)
        deployment = var / "deployment.json"
        devstack.deploy(url, deployment)  # mined at once (Ape waits for each receipt), then a block a second
        payload = {"jsonrpc": "2.0", "id": 1, "method": "evm_setIntervalMining", "params": [1]}
        assert "error" not in requests.post(url, json=payload, timeout=10).json()
        yield url, deployment
    finally:
        devstack.stop_process(process)


@contextmanager
def processes(var: Path) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    running = {
        " ".join(args): devstack.spawn([str(ROOT / ".venv" / "bin" / "drec"), *args], var / f"{args[-1]}.log")
        for args in PROCESSES
    }
    try:
        yield running
    finally:
        for process in running.values():
            devstack.stop_process(process)


def print_memory(running: dict[str, subprocess.Popen[bytes]]) -> None:
    """Resident memory of each process kind (with its children, if any), after the windows."""
    for name, process in running.items():
        tree = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
        print(f"{'drec ' + name:>32}: {sum(p.memory_info().rss for p in tree) / 2**20:6.0f} MiB resident")


def wait_minted(reservation: uuid.UUID, start: datetime, devices: int) -> float:
    """Polls until the window's certificates are all minted; returns the time.time() it saw them."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        with platform.current().db.engine.connect() as connection:
            row = connection.execute(MINTED, {"reservation": reservation, "start": start}).one()
        if row.made and row.minted == row.made:
            assert (row.made, row.wh) == (1, 400 * devices), f"window {start}: {row.made} certificates, {row.wh} Wh"
            return time.time()
        time.sleep(0.05)
    raise TimeoutError(f"window {start} not minted after {TIMEOUT_SECONDS} s")


def measure(reservation: uuid.UUID, devices: int, windows: int) -> list[float]:
    clock, latencies = platform.current().clock, []
    for n in range(windows + 1):  # the first window warms the processes up (imports, pools): not counted
        start = T0 + n * HOUR
        clock.set(start + HOUR - timedelta(seconds=LEAD_SECONDS))
        closes = time.time() + LEAD_SECONDS
        latency = wait_minted(reservation, start, devices) - closes
        if n:
            latencies.append(latency)
        print(f"window {n:2d} {start:%H:%M}: {latency:6.2f} s{'' if n else ' (warm-up)'}", flush=True)
    return latencies


def main() -> None:
    devices = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    windows = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    var = Path(tempfile.mkdtemp(prefix="drec-latency-"))
    try:
        with scratch_database() as url, ExitStack() as stack:
            reservation = load(url, devices, windows + 2)
            redis_url, stop_redis = devstack.start_redis(var, devstack.free_port())
            stack.callback(stop_redis)
            rpc_url, deployment = stack.enter_context(chain(var))
            settings = Settings(
                _env_file=None,
                database_url=url,
                redis_url=redis_url,
                chain_rpc_url=rpc_url,
                deployment_file=deployment,
                var_dir=var,
            )
            platform.install(platform.Platform(settings))
            partitions.ensure_months(platform.current().db.engine, [T0])
            env = {
                "DREC_DATABASE_URL": url,
                "DREC_REDIS_URL": redis_url,
                "DREC_CHAIN_RPC_URL": rpc_url,
                "DREC_DEPLOYMENT_FILE": str(deployment),
                "DREC_VAR_DIR": str(var),
            }
            os.environ.update(env)  # the processes inherit it
            running = stack.enter_context(processes(var))
            print(
                f"{devices:,} devices, hourly windows, tick {settings.scheduler_tick_seconds} s, "
                f"confirmations {settings.confirmations}; load {os.getloadavg()}",
                flush=True,
            )
            latencies = measure(reservation, devices, windows)
            print_memory(running)
            platform.current().db.dispose()
        p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
        print(
            f"p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, worst {max(latencies):.2f} s over "
            f"{len(latencies)} windows (goal p95 ≤ {GOAL_SECONDS} s) {'ok' if p95 <= GOAL_SECONDS else 'OVER'}; "
            f"load {os.getloadavg()}"
        )
    finally:
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
