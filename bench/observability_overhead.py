"""Issue 19: what observability costs on read ingestion (R-NF-1's benchmark), measured in one run.

Two gunicorn servers on one scratch database, the same shape as the Procfile's: one with `DREC_OBSERVABILITY=false`
(no request log line, no latency histogram), one as deployed. Each round drives both in turn with the same
clients, devices and batch size (`bench.read_ingest.api_run`: CLIENTS clients × BATCHES batches of 1,000 reads),
the order alternating between rounds; the figure is the median over rounds of rows/s with observability divided
by rows/s without (goal ≥ 0.95, i.e. at most 5 % overhead), with the web servers' CPU time per batch beside it
(on a shared machine, throughput swings with the neighbours' load; CPU time much less). Usage:
`.venv/bin/python -m bench.observability_overhead [clients] [batches] [rounds]`.
"""

import os
import statistics
import sys
from contextlib import ExitStack
from datetime import timedelta

from bench.read_ingest import DEVICES, WARM_UP_BATCHES, api_run
from bench.readstack import CpuMeter, add_devices, recent_ends, scratch_database, server_shape, web_server

GOAL = 0.95
STARTUP_SECONDS = 300  # two servers of four workers each load the application on a shared machine


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    batches = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    ends = recent_ends(WARM_UP_BATCHES * 2 + rounds * 2 * batches, timedelta(minutes=5))
    rows = clients * batches * DEVICES
    ratios, cpu_ratios = [], []
    with scratch_database() as stack, ExitStack() as servers:
        devices = [add_devices(stack, DEVICES, ends[0] - timedelta(days=1), f"O{c}") for c in range(clients)]
        bases, processes = {}, {}
        for observed in (False, True):
            os.environ["DREC_OBSERVABILITY"] = str(observed).lower()
            bases[observed], processes[observed] = servers.enter_context(web_server(stack, STARTUP_SECONDS))
        for n, observed in enumerate((False, True)):  # each server's workers warm, every device past its baseline
            api_run(bases[observed], stack.api_key, devices, ends[n * WARM_UP_BATCHES : (n + 1) * WARM_UP_BATCHES])
        timed = ends[2 * WARM_UP_BATCHES :]
        print(f"{clients} clients × {batches} batches × {DEVICES:,} reads = {rows:,} rows per server and round")
        print(f"{server_shape()}, {rounds} rounds")
        for r in range(rounds):
            order = (False, True) if r % 2 == 0 else (True, False)
            rate, cpu = {}, {}
            for k, observed in enumerate(order):
                part = timed[(2 * r + k) * batches : (2 * r + k + 1) * batches]
                with CpuMeter(processes[observed]) as meter:
                    elapsed, _ = api_run(bases[observed], stack.api_key, devices, part)
                rate[observed] = rows / elapsed
                cpu[observed] = meter.spent["web"] / (clients * batches) * 1000
            ratios.append(rate[True] / rate[False])
            cpu_ratios.append(cpu[True] / cpu[False])
            print(
                f"round {r + 1}: without {rate[False]:,.0f} rows/s ({cpu[False]:.1f} web CPU ms per batch), "
                f"with {rate[True]:,.0f} rows/s ({cpu[True]:.1f} ms), ratio {ratios[-1]:.3f}"
            )
    print(f"median web CPU per batch with/without: {statistics.median(cpu_ratios):.3f} (a load-independent view)")
    ratio = statistics.median(ratios)
    print(f"median ratio with/without observability: {ratio:.3f} (goal ≥ {GOAL}) {'ok' if ratio >= GOAL else 'OVER'}")


if __name__ == "__main__":
    main()
