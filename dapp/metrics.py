"""Prometheus metrics (issue 19, ADR 0091).

Request latencies are a prometheus_client histogram. Under gunicorn each worker process writes its values to
files in `PROMETHEUS_MULTIPROC_DIR` (set by dapp.gunicorn_conf before the workers start) and `/metrics` adds up
every worker's; without it (tests, `drec web`) they are the process's own. Jobs run in RQ's forked work horses,
one process per job, so their counts and durations are kept in Redis instead (one hash, incremented by the
worker process after each job) and read at scrape time, with every other figure that is a state rather than an
event (queue depths, outbox ages, indexer lag, mint gas: dapp.admin.operations).
"""

import os

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from redis import Redis

JOBS_KEY = "drec:metrics:jobs"
REQUEST_SECONDS = Histogram(
    "drec_http_request_duration_seconds",
    "Time to answer a request, by route template, method and status",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def record_job(redis: Redis, name: str, outcome: str, seconds: float) -> None:
    """Count one finished job `name` ("finished" or "failed") and add its duration."""
    with redis.pipeline(transaction=False) as pipe:
        pipe.hincrby(JOBS_KEY, f"{name}|{outcome}|count", 1)
        pipe.hincrbyfloat(JOBS_KEY, f"{name}|{outcome}|seconds", seconds)
        pipe.execute()


def job_figures(redis: Redis) -> dict[tuple[str, str], tuple[int, float]]:
    """(job name, outcome) → (count, total seconds), for every job run since Redis was last emptied."""
    raw = {_text(key): float(value) for key, value in redis.hgetall(JOBS_KEY).items()}
    figures: dict[tuple[str, str], tuple[int, float]] = {}
    for key, value in raw.items():
        name, outcome, what = key.rsplit("|", 2)
        count, seconds = figures.get((name, outcome), (0, 0.0))
        figures[(name, outcome)] = (int(value), seconds) if what == "count" else (count, value)
    return figures


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def process_exposition() -> bytes:
    """The text exposition of this process's metrics, or of every gunicorn worker's in multi-process mode."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        from prometheus_client import REGISTRY

        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return generate_latest(registry)
