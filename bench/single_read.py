"""R-NF-2: single-read requests vs. a trivial endpoint of the same server stack (gunicorn, as in production).

CLIENTS concurrent clients: each owns one device and sends REQUESTS one-read delta batches in time order
(`POST /api/v1/devices/{id}/reads`, API key); the reference is the same number of `GET /healthz` requests.
After untimed warm-up requests of both kinds, ROUNDS rounds, each the reference then the reads; prints both
request rates, median latencies and the CPU time each side spent per request (web server, PostgreSQL, clients)
per round, and the median of the rounds' ratios (goal ≥ 0.50).
Usage: `.venv/bin/python -m bench.single_read [clients] [requests] [rounds]`.
"""

import statistics
import sys
import threading
import time
from datetime import datetime, timedelta

import requests

from bench.readstack import CpuMeter, add_devices, recent_ends, scratch_stack, server_shape, web_server

GOAL = 0.50
# Untimed reads first, every client at once: they reach each web worker (its first connection, prepared
# statements, lazy imports), and each device's first read, a baseline, is behind us.
WARM_UP_READS = 20


def run(clients: int, work) -> tuple[float, list[float]]:
    latencies: list[float] = []
    errors: list[str] = []

    def client(n: int) -> None:
        with requests.Session() as http:
            for response_time, ok, text in work(http, n):
                latencies.append(response_time)
                if not ok:
                    errors.append(text)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, e.g. {errors[0][:300]}")
    return time.perf_counter() - started, latencies


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    ends = recent_ends(WARM_UP_READS + rounds * count, timedelta(minutes=1))
    warm_up, timed = ends[:WARM_UP_READS], ends[WARM_UP_READS:]
    results = []
    with scratch_stack() as stack:
        devices = add_devices(stack, clients, ends[0] - timedelta(days=1), "S")
        headers = {"Authorization": f"Bearer {stack.api_key}"}

        def reads(part: list[datetime]):
            def work(http: requests.Session, n: int):
                for end in part:
                    body = {"type": "delta", "unit": "Wh", "reads": [{"end": end.isoformat(), "value": 5}]}
                    started = time.perf_counter()
                    r = http.post(f"{base}/api/v1/devices/{devices[n]}/reads", json=body, headers=headers)
                    yield time.perf_counter() - started, r.status_code == 200 and r.json()["rejected"] == 0, r.text

            return work

        def trivial(http: requests.Session, _: int):
            for _ in range(count):
                started = time.perf_counter()
                r = http.get(f"{base}/healthz")
                yield time.perf_counter() - started, r.status_code == 200, r.text

        with web_server(stack) as (base, server):
            run(clients, trivial)
            run(clients, reads(warm_up))
            for r in range(rounds):
                with CpuMeter(server) as trivial_cpu:
                    trivial_run = run(clients, trivial)
                with CpuMeter(server) as read_cpu:
                    read_run = run(clients, reads(timed[r * count : (r + 1) * count]))
                results.append((trivial_run, read_run, trivial_cpu, read_cpu))
    total = clients * count
    print(f"{clients} clients × {count} requests per round, {rounds} rounds; {server_shape()}")
    for n, ((trivial_time, trivial_latencies), (read_time, read_latencies), trivial_cpu, read_cpu) in enumerate(
        results, 1
    ):
        print(
            f"round {n}: single-read POST {total / read_time:6,.0f} req/s "
            f"(median {statistics.median(read_latencies) * 1000:5.1f} ms), "
            f"GET /healthz {total / trivial_time:6,.0f} req/s "
            f"(median {statistics.median(trivial_latencies) * 1000:5.1f} ms), ratio {trivial_time / read_time:.2f}"
        )
        print(f"         CPU ms per request: reads {read_cpu.per(total)}; /healthz {trivial_cpu.per(total)}")
    ratio = statistics.median(trivial_time / read_time for (trivial_time, _), (read_time, _), *_ in results)
    print(f"median ratio {ratio:.2f} (goal ≥ {GOAL}) {'ok' if ratio >= GOAL else 'UNDER'}")


if __name__ == "__main__":
    main()
