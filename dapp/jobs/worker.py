"""`drec worker`: an RQ worker that runs every job in its own process, logs and counts it, and outlives outages
(ADRs 0090, 0091, 0125)."""

import logging
import signal
import threading
import time
from types import FrameType

from rq import Queue, SimpleWorker
from rq.job import Job

from dapp import metrics, platform
from dapp.outages import LONGEST_PAUSE_SECONDS, OUTAGE_ERRORS, Backoff

log = logging.getLogger("drec.job")


class MeasuredWorker(SimpleWorker):
    """Runs each job in the worker process itself, no forked work horse (about 1 s less per job on a loaded
    machine, and its database connections are pooled across jobs; ADR 0125); a job's timeout still holds (RQ's
    alarm signal, in this main thread). After each job: one JSON log line (job id, name, queue, outcome, duration;
    never the arguments) and its count and duration in the job metrics."""

    def execute_job(self, job: Job, queue: Queue) -> None:
        started = time.perf_counter()
        super().execute_job(job, queue)
        seconds = time.perf_counter() - started
        status = job.get_status(refresh=True)
        outcome = status.value if status is not None else "unknown"
        name = job.description or job.func_name or job.id
        fields = {"job_id": job.id, "job": name, "queue": queue.name, "outcome": outcome}
        log.info("job", extra={"fields": {**fields, "duration_ms": round(seconds * 1000, 2)}})
        metrics.record_job(self.connection, name, outcome, seconds)

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        """SIGTERM or Ctrl-C: RQ stops this worker's loop; `run` must not start another one (ADR 0120)."""
        _stop_requested.set()
        super().request_stop(signum, frame)


_stop_requested = threading.Event()


def _stop_at_once(signum: int, _frame: FrameType | None) -> None:
    _stop_requested.set()
    raise SystemExit(128 + signum)


def run(queue_names: list[str]) -> None:
    """Work on `queue_names` until asked to stop. RQ's loop ends on most Redis errors, and building a worker
    already talks to Redis, so after a pause (dapp.outages) a new worker takes over — unless SIGTERM or Ctrl-C
    came meanwhile: a stop asked for during an outage ends the process (RQ's own goodbye to the missing Redis
    fails), and between two RQ loops either signal ends it at once."""
    p = platform.current()
    backoff = Backoff()
    while not _stop_requested.is_set():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, _stop_at_once)  # RQ installs its own handlers while its loop runs
        try:
            worker = MeasuredWorker([p.queue(name) for name in queue_names], connection=p.redis)
            worker.max_connection_wait_time = LONGEST_PAUSE_SECONDS  # RQ's own reconnection waits up to 60 s
            worker.work(with_scheduler=False)
        except OUTAGE_ERRORS as error:
            if not _stop_requested.is_set():
                time.sleep(backoff.failed("worker", error))
            continue
        if worker._stop_requested:
            return
        time.sleep(backoff.failed("worker", RuntimeError("RQ's loop ended after an error")))
