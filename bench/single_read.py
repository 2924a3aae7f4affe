"""R-NF-2: single-read requests vs. a trivial endpoint of the same server stack (gunicorn, as in production),
driven by wrk (bench/wrk.py), whose CPU per request is measured beside the server's.

CLIENTS connections (one wrk thread each): each owns one device and sends one-read delta batches in time order
for SECONDS, daylight reads that are never flagged (`POST /api/v1/devices/{id}/reads`, API key,
`bench/lua/single_read.lua`); the reference is `GET /healthz` for as long. After an untimed warm-up of both kinds,
ROUNDS rounds, each the reference then the reads, each round's reads on devices of its own; the reads a round
stored are counted in the database and must be the requests wrk saw answered (up to one in flight per connection
when it stopped). Prints both request rates, median latencies, the CPU time each side spent per request (web
server, PostgreSQL, this process, and wrk) per round, the median of the rounds' ratios and the worst round
(goal ≥ 0.50), with the load average.
Usage: `.venv/bin/python -m bench.single_read [clients] [seconds] [rounds]`.
"""

import os
import statistics
import sys
from datetime import UTC, datetime, timedelta

import psycopg

from bench import wrk
from bench.readstack import CpuMeter, Stack, add_devices, scratch_stack, server_shape, web_server

GOAL = 0.50
# Reads of 1 Wh every 10 s from 09:00 in Nairobi (where the devices are) twenty days ago: daylight for 4,320 reads
# per device, so that none is flagged by the clear-sky check (a flagged read takes the full path, ADR 0058).
STEP = timedelta(seconds=10)
FIRST_END = datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0) - timedelta(days=20)
DAYLIGHT_READS = 4_320
WARM_UP_SECONDS = 3


def reads(stack: Stack, base: str, devices: list[str], seconds: float) -> wrk.WrkRun:
    env = {
        **os.environ,
        "DREC_BENCH_DEVICES": ",".join(devices),
        "DREC_BENCH_FIRST_END": str(int(FIRST_END.timestamp())),
        "DREC_BENCH_STEP_SECONDS": str(int(STEP.total_seconds())),
        "DREC_BENCH_API_KEY": stack.api_key,
    }
    run = wrk.run(base, len(devices), seconds, "single_read.lua", env)
    with psycopg.connect(stack.plain) as connection:
        stored = connection.execute(
            "SELECT count(*) FROM meter_read r JOIN device d ON d.id = r.device_id WHERE d.external_id = ANY(%s)",
            (devices,),
        ).fetchone()
    assert stored is not None
    assert run.requests <= stored[0] <= run.requests + len(devices), f"{stored[0]} reads stored of {run}"
    assert run.requests <= len(devices) * DAYLIGHT_READS, "reads ran into the night: shorten the rounds"
    return run


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    results = []
    with scratch_stack() as stack:
        devices = add_devices(stack, clients * (rounds + 1), FIRST_END - timedelta(days=1), "S")
        with web_server(stack) as (base, server):
            wrk.run(f"{base}/healthz", clients, WARM_UP_SECONDS)
            reads(stack, base, devices[:clients], WARM_UP_SECONDS)
            for r in range(1, rounds + 1):
                with CpuMeter(server) as trivial_cpu:
                    trivial = wrk.run(f"{base}/healthz", clients, seconds)
                with CpuMeter(server) as read_cpu:
                    single = reads(stack, base, devices[r * clients : (r + 1) * clients], seconds)
                results.append((trivial, single, trivial_cpu, read_cpu, os.getloadavg()[0]))
    print(f"{clients} connections × {seconds:.0f} s per round, {rounds} rounds, wrk; {server_shape()}")
    ratios = []
    for n, (trivial, single, trivial_cpu, read_cpu, load) in enumerate(results, 1):
        ratios.append(single.rate / trivial.rate)
        print(
            f"round {n}: single-read POST {single.rate:6,.0f} req/s (median {single.median_latency * 1000:5.1f} ms), "
            f"GET /healthz {trivial.rate:6,.0f} req/s (median {trivial.median_latency * 1000:5.1f} ms), "
            f"ratio {ratios[-1]:.2f}; load {load:.1f}"
        )
        print(
            f"         CPU ms per request: reads {read_cpu.per(single.requests)}, wrk "
            f"{single.client_cpu_per_request_ms():.3f}; /healthz {trivial_cpu.per(trivial.requests)}, wrk "
            f"{trivial.client_cpu_per_request_ms():.3f}"
        )
    median = statistics.median(ratios)
    print(
        f"median ratio {median:.2f}, worst round {min(ratios):.2f} (goal ≥ {GOAL} in the worst) "
        f"{'ok' if min(ratios) >= GOAL else 'UNDER'}; load {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
