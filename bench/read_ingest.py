"""R-NF-1: batch read ingestion through the HTTP API vs. a raw PostgreSQL COPY of the same rows, same table.

A scratch database on the machine's PostgreSQL (TEST_DATABASE_URL's server) and a real gunicorn server with
the platform's settings (`bench.readstack.web_server`). CLIENTS concurrent clients each own 1,000 devices and
send BATCHES batches of 1,000 reads — one read per device, `POST /api/v1/reads` — in time order. The reference
writes the same number of rows, with the same columns the API writes, into `meter_read` with COPY: one COPY of
1,000 rows per transaction, CLIENTS connections at once. Prints rows/s of both, their ratio (goal ≥ 0.30), the
median batch time, the CPU time each side spent per batch (web server, PostgreSQL, clients), and the peak
resident memory of the web server (master + workers).
ROUNDS rounds, each the API then the reference, so that both see the machine in the same state; the ratio
quoted is the median of the rounds' ratios.
Usage: `.venv/bin/python -m bench.read_ingest [clients] [batches] [rounds]`.
"""

import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
import requests

from bench.readstack import CpuMeter, MemoryPeak, add_devices, recent_ends, scratch_database, server_shape, web_server
from dapp.reads.writing import READ_COLUMNS

DEVICES = 1_000
GOAL = 0.30


def api_run(base: str, key: str, devices: list[list[str]], ends: list[datetime]) -> tuple[float, list[float]]:
    latencies: list[float] = []
    errors: list[str] = []

    def client(ids: list[str]) -> None:
        with requests.Session() as http:
            for end in ends:
                body = {
                    "devices": [
                        {
                            "external_id": i,
                            "type": "delta",
                            "unit": "Wh",
                            "reads": [{"end": end.isoformat(), "value": 40}],
                        }
                        for i in ids
                    ]
                }
                started = time.perf_counter()
                response = http.post(f"{base}/api/v1/reads", json=body, headers={"Authorization": f"Bearer {key}"})
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200 or response.json()["rejected"]:
                    errors.append(response.text[:300])

    elapsed = _concurrently(client, devices)
    if errors:
        raise RuntimeError(f"{len(errors)} batches failed, e.g. {errors[0]}")
    return elapsed, latencies


def copy_run(
    plain: str, device_ids: list[list[uuid.UUID]], ends: list[datetime], previous: datetime | None
) -> tuple[float, list[float], CpuMeter]:
    """The reference: the rows the API writes for these ends (the first one a baseline when nothing came before).
    The connections stay open until their backends' CPU time has been read."""
    latencies: list[float] = []
    now = datetime.now(UTC)

    def client(share: tuple[psycopg.Connection, list[uuid.UUID]]) -> None:
        connection, ids = share
        for start, end in zip([previous, *ends[:-1]], ends, strict=True):
            started = time.perf_counter()
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY meter_read ({', '.join(READ_COLUMNS)}) FROM STDIN") as copy,
            ):
                for device in ids:
                    copy.write_row(_row(device, start, end, now))
            connection.commit()
            latencies.append(time.perf_counter() - started)

    connections = [psycopg.connect(plain) for _ in device_ids]
    try:
        with CpuMeter() as cpu:
            elapsed = _concurrently(client, list(zip(connections, device_ids, strict=True)))
    finally:
        for connection in connections:
            connection.close()
    return elapsed, latencies, cpu


def _row(device: uuid.UUID, start: datetime | None, end: datetime, now: datetime) -> tuple:
    """The columns the API writes: a first read is a baseline; the next ones are accepted with their limits."""
    if start is None:
        status, reason, limits = "baseline", "first_read", (None, "max-energy/1", None, None, None, None, None)
    else:
        status, reason, limits = (
            "accepted",
            None,
            (1369, "max-energy/1", 2000, "default", 5000, "clear-sky/1", "device"),
        )
    return (device, "delta", status, reason, start, end, 40, 40, *limits, now, None, None)


def _concurrently(work, shares: list) -> float:
    threads = [threading.Thread(target=work, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


@dataclass
class Round:
    api_time: float
    copy_time: float
    api_latencies: list[float]
    copy_latencies: list[float]
    api_cpu: CpuMeter
    copy_cpu: CpuMeter


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    batches = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    ends = recent_ends(rounds * batches, timedelta(minutes=5))
    rows = clients * batches * DEVICES
    results: list[Round] = []
    with scratch_database() as stack:
        api_devices = [add_devices(stack, DEVICES, ends[0] - timedelta(days=1), f"A{c}") for c in range(clients)]
        copy_devices = [add_devices(stack, DEVICES, ends[0] - timedelta(days=1), f"C{c}") for c in range(clients)]
        with psycopg.connect(stack.plain) as connection:
            by_external = dict(connection.execute("SELECT external_id, id FROM device").fetchall())
        copy_ids = [[by_external[e] for e in ids] for ids in copy_devices]
        peak = 0
        with web_server(stack) as (base, process):
            _warm_up(base, stack.api_key)
            for r in range(rounds):
                part = ends[r * batches : (r + 1) * batches]
                with MemoryPeak(process) as memory, CpuMeter(process) as api_cpu:
                    api_time, api_latencies = api_run(base, stack.api_key, api_devices, part)
                peak = max(peak, memory.peak)
                previous = ends[r * batches - 1] if r else None
                copy_time, copy_latencies, copy_cpu = copy_run(stack.plain, copy_ids, part, previous)
                results.append(Round(api_time, copy_time, api_latencies, copy_latencies, api_cpu, copy_cpu))
    print(
        f"{clients} clients × {batches} batches × {DEVICES:,} reads (1 per device) = {rows:,} rows per round, "
        f"{rounds} rounds; {server_shape()}"
    )
    for n, result in enumerate(results, 1):
        print(
            f"round {n}: HTTP POST /api/v1/reads {rows / result.api_time:>8,.0f} rows/s "
            f"(median batch {statistics.median(result.api_latencies) * 1000:5.0f} ms), "
            f"COPY {rows / result.copy_time:>8,.0f} rows/s "
            f"(median batch {statistics.median(result.copy_latencies) * 1000:5.0f} ms), "
            f"ratio {result.copy_time / result.api_time:.2f}"
        )
        batch_count = clients * batches
        print(
            f"         CPU ms per batch: API {result.api_cpu.per(batch_count)}; COPY {result.copy_cpu.per(batch_count)}"
        )
    ratio = statistics.median(result.copy_time / result.api_time for result in results)
    print(f"median ratio {ratio:.2f} (goal ≥ {GOAL}) {'ok' if ratio >= GOAL else 'UNDER'}")
    print(f"peak memory of the web server (master + workers): {peak / 2**20:,.0f} MiB")


def _warm_up(base: str, key: str) -> None:
    """Imports, first connections, the partitions of these months."""
    history = {"start": "2025-02-01T00:00Z", "end": "2025-02-01T01:00Z", "value": 1}
    requests.post(
        f"{base}/api/v1/reads",
        json={"devices": [{"external_id": "A0-0", "type": "history", "unit": "Wh", "reads": [history]}]},
        headers={"Authorization": f"Bearer {key}"},
        params={"acknowledge_old": "true"},
        timeout=120,
    )


if __name__ == "__main__":
    main()
