"""The web server's settings, shared by the Procfile and the benchmarks (`gunicorn -c python:dapp.gunicorn_conf`).

Two worker processes per core, two threads each. A request spends part of its time waiting for PostgreSQL (a
commit waits for the WAL to reach the disk), and while one thread waits the other can run; but only one thread
of a process runs Python at a time, and a client's keep-alive connection stays with one process, so with one
process per core a busy process queues requests while another sits idle. Measured on 2 cores with 4 clients
(ADR 0037): 4 × 2 came closer to both benchmark goals than 2 × 4, for about 500 MiB more memory.

Garbage collection: once a worker has loaded the application, everything it loaded (Flask, SQLAlchemy,
pvlib, …) is moved out of the collector's sight (`gc.freeze`), and the youngest generation is collected less
often; a batch of 1,000 reads allocates tens of thousands of objects, and without this each collection
walks the whole application again (about a quarter of a batch's CPU time, ADR 0033). The young generation is
collected every 50,000 allocations (net of objects freed), more than a 1,000-read batch holds at once, so such a
batch usually ends, and frees its objects, before any collection has walked them (ADR 0060).

Metrics and logs (ADR 0091): each worker writes its Prometheus values to files in PROMETHEUS_MULTIPROC_DIR (a fresh
folder unless set), which `/metrics` adds up; the application's logs are JSON lines on stderr (dapp.logs).

Access log: method, path, protocol, status, size, duration, client address and user agent, never the query
string or the referer. E-mail links carry their single-use tokens in the query string (`/confirm-email?token=…`,
`/reset-password?token=…`), and the next page's referer repeats them.
"""

import gc
import os
import tempfile

from dapp import logs

workers = int(os.environ.get("DREC_WEB_WORKERS", 2 * (os.cpu_count() or 1)))
threads = int(os.environ.get("DREC_WEB_THREADS", 2))
worker_class = "gthread"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'
YOUNG_GENERATION_THRESHOLD = 50_000


def on_starting(server) -> None:  # noqa: ARG001 - gunicorn's hook signature
    """In the master, before any worker imports prometheus_client: one folder for every worker's metric files."""
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="drec-metrics-"))


def post_worker_init(worker) -> None:  # noqa: ARG001 - gunicorn's hook signature
    logs.configure()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, 10, 10)


def child_exit(server, worker) -> None:  # noqa: ARG001 - gunicorn's hook signature
    """A worker that ended keeps its counted values; its live gauges go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
