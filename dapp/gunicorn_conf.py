"""The web server's settings, shared by the Procfile and the benchmarks (`gunicorn -c python:dapp.gunicorn_conf`).

Threaded workers: a request spends much of its time waiting for PostgreSQL (a commit waits for the WAL to
reach the disk), and while one thread waits another can run. One worker process per core.

Garbage collection: once a worker has loaded the application, everything it loaded (Flask, SQLAlchemy,
pvlib, …) is moved out of the collector's sight (`gc.freeze`), and the youngest generation is collected less
often; a batch of 1,000 reads allocates tens of thousands of objects, and without this each collection
walks the whole application again (about a quarter of a batch's CPU time, ADR 0033).
"""

import gc
import os

workers = int(os.environ.get("DREC_WEB_WORKERS", os.cpu_count() or 2))
threads = int(os.environ.get("DREC_WEB_THREADS", 4))
worker_class = "gthread"
YOUNG_GENERATION_THRESHOLD = 10_000


def post_worker_init(worker) -> None:  # noqa: ARG001 - gunicorn's hook signature
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, 10, 10)
