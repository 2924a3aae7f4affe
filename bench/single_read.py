"""R-NF-2: single-read requests vs. a trivial endpoint of the same server stack (gunicorn, as in production).

CLIENTS concurrent clients: each owns one device and sends REQUESTS one-read delta batches in time order
(`POST /api/v1/devices/{id}/reads`, API key); the reference is the same number of `GET /healthz` requests.
Prints both request rates, their ratio (goal ≥ 0.50) and median latencies.
Usage: `.venv/bin/python -m bench.single_read [clients] [requests]`.
"""

import statistics
import sys
import threading
import time
from datetime import timedelta

import requests

from bench.readstack import add_devices, recent_ends, scratch_database, server_shape, web_server

GOAL = 0.50


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
    ends = recent_ends(count, timedelta(minutes=1))
    with scratch_database() as stack:
        devices = add_devices(stack, clients, ends[0] - timedelta(days=1), "S")
        headers = {"Authorization": f"Bearer {stack.api_key}"}

        def reads(http: requests.Session, n: int):
            for end in ends:
                body = {"type": "delta", "unit": "Wh", "reads": [{"end": end.isoformat(), "value": 5}]}
                started = time.perf_counter()
                r = http.post(f"{base}/api/v1/devices/{devices[n]}/reads", json=body, headers=headers)
                yield time.perf_counter() - started, r.status_code == 200 and r.json()["rejected"] == 0, r.text

        def trivial(http: requests.Session, _: int):
            for _ in ends:
                started = time.perf_counter()
                r = http.get(f"{base}/healthz")
                yield time.perf_counter() - started, r.status_code == 200, r.text

        with web_server(stack) as (base, _):
            for _ in range(20):
                requests.get(f"{base}/healthz", timeout=10)
            trivial_time, trivial_latencies = run(clients, trivial)
            read_time, read_latencies = run(clients, reads)
    total = clients * count
    read_rate, trivial_rate = total / read_time, total / trivial_time
    print(f"{clients} clients × {count} requests; {server_shape()}")
    print(f"single-read POST: {read_rate:8,.0f} req/s  median {statistics.median(read_latencies) * 1000:6.1f} ms")
    print(f"GET /healthz:     {trivial_rate:8,.0f} req/s  median {statistics.median(trivial_latencies) * 1000:6.1f} ms")
    print(
        f"ratio {read_rate / trivial_rate:.2f} (goal ≥ {GOAL}) {'ok' if read_rate / trivial_rate >= GOAL else 'UNDER'}"
    )


if __name__ == "__main__":
    main()
