"""R-NF-1: batch read ingestion through the HTTP API vs. a raw PostgreSQL COPY of the same rows, same table.

A scratch database on the machine's PostgreSQL (TEST_DATABASE_URL's server) and a real gunicorn server with
the platform's settings (`bench.readstack.web_server`). CLIENTS concurrent clients each own 1,000 devices and
send BATCHES batches of 1,000 reads — one read per device, `POST /api/v1/reads` — in time order. The references
write the same number of rows, with the same columns the API writes, into `meter_read` with COPY: one COPY of
1,000 rows per transaction, CLIENTS connections at once, in COPY's text format (psycopg's and psql's default; the
goal's reference) and in its binary format (stricter: it costs the client less than half as much CPU, and the
API itself writes binary COPY). Prints rows/s of each, the ratios (goal ≥ 0.30), the median batch time, the CPU
time each side spent per batch (web server, PostgreSQL, clients), and the peak resident memory of the web server
(master + workers).
ROUNDS rounds, each the API then the references, so that all see the machine in the same state; the ratios
quoted are the medians of the rounds' ratios. Before the first round every client sends WARM_UP_BATCHES untimed
batches, so that the rounds measure the server in its steady state, and every read they time is accepted.
Usage: `.venv/bin/python -m bench.read_ingest [clients] [batches] [rounds]`.
"""

import dataclasses
import os
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
import requests

from bench.readstack import (
    CpuMeter,
    MemoryPeak,
    Stack,
    add_devices,
    add_organization,
    recent_ends,
    scratch_stack,
    server_shape,
    web_server,
)
from dapp.reads.store import READ_COLUMNS, READS

DEVICES = 1_000
GOAL = 0.30
# Untimed batches first, every client at once, as in the rounds: they reach each web worker (its first
# connection, the partition of the month, lazy imports), and each device's first read, a baseline, is behind us.
WARM_UP_BATCHES = 3


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
    plain: str, device_ids: list[list[uuid.UUID]], ends: list[datetime], previous: datetime, binary: bool
) -> tuple[float, list[float], CpuMeter]:
    """The reference: the rows the API writes for these ends (each interval starting at the end before it), in
    COPY's text or binary format. The connections stay open until their backends' CPU time has been read."""
    latencies: list[float] = []
    now = datetime.now(UTC)
    statement = f"COPY meter_read ({', '.join(READ_COLUMNS)}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")

    def client(share: tuple[psycopg.Connection, list[uuid.UUID]]) -> None:
        connection, ids = share
        for start, end in zip([previous, *ends[:-1]], ends, strict=True):
            started = time.perf_counter()
            with (
                connection.cursor() as cursor,
                cursor.copy(statement) as copy,
            ):
                if binary:
                    copy.set_types(READS.types)
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


def _row(device: uuid.UUID, start: datetime, end: datetime, now: datetime) -> tuple:
    """The columns the API writes for an accepted read, with its limits."""
    limits = (1369, "max-energy/1", 2000, "default", 5000, "clear-sky/1", "device")
    return (device, "delta", "accepted", None, start, end, 40, 40, *limits, now, None, None)


def _concurrently(work, shares: list) -> float:
    threads = [threading.Thread(target=work, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


@dataclass
class Measured:
    time: float
    latencies: list[float]
    cpu: CpuMeter


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    batches = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    ends = recent_ends(WARM_UP_BATCHES + rounds * batches, timedelta(minutes=5))
    warm_up, timed = ends[:WARM_UP_BATCHES], ends[WARM_UP_BATCHES:]
    rows = clients * batches * DEVICES
    results: list[dict[str, Measured]] = []
    with scratch_stack() as stack:
        api_devices = [add_devices(stack, DEVICES, ends[0] - timedelta(days=1), f"A{c}") for c in range(clients)]
        # The text reference's devices share the API's organization, as they always have (its 8,000 devices are
        # what the API's device lookup searches); the binary reference's belong to another, so that it stays so.
        elsewhere = dataclasses.replace(stack, organization_id=add_organization(stack.plain)[0])
        copy_ids = {
            False: _copy_devices(stack, clients, ends[0], "C"),
            True: _copy_devices(elsewhere, clients, ends[0], "B"),
        }
        peak, each = 0, {}
        with web_server(stack) as (base, process):
            api_run(base, stack.api_key, api_devices, warm_up)
            for r in range(rounds):
                part = timed[r * batches : (r + 1) * batches]
                with MemoryPeak(process) as memory, CpuMeter(process) as api_cpu:
                    api_time, api_latencies = api_run(base, stack.api_key, api_devices, part)
                peak = max(peak, memory.peak)
                each = {pid: max(rss, each.get(pid, 0)) for pid, rss in memory.each.items()}
                previous = ends[WARM_UP_BATCHES + r * batches - 1]
                result = {"API": Measured(api_time, api_latencies, api_cpu)}
                for binary, label in ((False, "COPY"), (True, "binary COPY")):
                    result[label] = Measured(*copy_run(stack.plain, copy_ids[binary], part, previous, binary))
                results.append(result)
    _report(results, clients, batches, rounds, rows, peak)
    master = process.pid
    workers = sorted(rss for pid, rss in each.items() if pid != master)
    print(
        f"peak resident memory per process: master {each.get(master, 0) / 2**20:,.0f} MiB, workers "
        + ", ".join(f"{rss / 2**20:,.0f}" for rss in workers)
        + f" MiB (goal ≤ 300 MiB per worker); load {os.getloadavg()}"
    )


def _copy_devices(stack: Stack, clients: int, first_end: datetime, tag: str) -> list[list[uuid.UUID]]:
    """Each reference client's own 1,000 devices, by id."""
    external_ids = [add_devices(stack, DEVICES, first_end - timedelta(days=1), f"{tag}{c}") for c in range(clients)]
    with psycopg.connect(stack.plain) as connection:
        by_external = dict(connection.execute("SELECT external_id, id FROM device").fetchall())
    return [[by_external[e] for e in ids] for ids in external_ids]


def _report(results: list[dict[str, Measured]], clients: int, batches: int, rounds: int, rows: int, peak: int) -> None:
    print(
        f"{clients} clients × {batches} batches × {DEVICES:,} reads (1 per device) = {rows:,} rows per round, "
        f"{rounds} rounds; {server_shape()}"
    )
    batch_count = clients * batches
    for n, result in enumerate(results, 1):
        api = result["API"]
        print(f"round {n}:")
        for label, measured in result.items():
            ratio = "" if measured is api else f", ratio {measured.time / api.time:.2f}"
            print(
                f"  {label:<12} {rows / measured.time:>8,.0f} rows/s "
                f"(median batch {statistics.median(measured.latencies) * 1000:5.0f} ms){ratio}; "
                f"CPU ms per batch: {measured.cpu.per(batch_count)}"
            )
    for label in ("COPY", "binary COPY"):
        ratio = statistics.median(result[label].time / result["API"].time for result in results)
        goal = f"(goal ≥ {GOAL}) {'ok' if ratio >= GOAL else 'UNDER'}" if label == "COPY" else "(stricter reference)"
        print(f"median ratio to {label}: {ratio:.2f} {goal}")
    print(f"peak memory of the web server (master + workers): {peak / 2**20:,.0f} MiB")


if __name__ == "__main__":
    main()
