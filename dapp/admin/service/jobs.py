"""Platform admins watch the background jobs (R-ACC-7, R-UI-2): each queue's depth, what runs now, what failed
with its traceback; and retry a failed job. RQ keeps these in Redis; a job's arguments are ids only (ADR 0063),
so nothing shown here is secret."""

from datetime import datetime

from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy.orm import Session

from dapp.access.permissions import PlatformAdmin
from dapp.admin.errors import JobNotFailed
from dapp.admin.schemas import JobRead, QueueRead
from dapp.audit import service as audit

LIST_LIMIT = 200  # the newest failures are the ones to look at


def queues(redis: Redis, names: tuple[str, ...]) -> list[QueueRead]:
    """Each queue's waiting, running, failed, scheduled and deferred jobs."""
    found = []
    for name in names:
        queue = Queue(name, connection=redis)
        found.append(
            QueueRead(
                name=name,
                queued=queue.count,
                running=queue.started_job_registry.count,
                failed=queue.failed_job_registry.count,
                scheduled=queue.scheduled_job_registry.count,
                deferred=queue.deferred_job_registry.count,
            )
        )
    return found


def running(redis: Redis, names: tuple[str, ...]) -> list[JobRead]:
    """The jobs a worker is running now, in every queue."""
    return [
        job
        for name in names
        for job in _jobs(redis, name, Queue(name, connection=redis).started_job_registry.get_job_ids(), "running")
    ]


def failed(redis: Redis, names: tuple[str, ...]) -> list[JobRead]:
    """The failed jobs of every queue (the newest 200 of each), newest first, with their tracebacks."""
    jobs = [
        job
        for name in names
        for job in _jobs(
            redis, name, Queue(name, connection=redis).failed_job_registry.get_job_ids(-LIST_LIMIT, -1), "failed"
        )
    ]
    return sorted(jobs, key=lambda job: job.ended_at or datetime.min, reverse=True)


def retry(
    session: Session, redis: Redis, names: tuple[str, ...], admin: PlatformAdmin, now: datetime, job_id: str
) -> JobRead:
    """Put a failed job back on its queue (a worker runs it again; jobs are idempotent); audited."""
    for name in names:
        registry = Queue(name, connection=redis).failed_job_registry
        if job_id in registry.get_job_ids():
            registry.requeue(job_id)
            [job] = _jobs(redis, name, [job_id], "queued")
            audit.record(session, admin, "job.retry", "job", job_id, after={"name": job.name, "queue": name}, now=now)
            return job
    raise JobNotFailed("There is no failed job with this id (it may have been retried already).")


def _jobs(redis: Redis, queue: str, ids: list[str], state: str) -> list[JobRead]:
    found = []
    for job_id, job in zip(ids, Job.fetch_many(ids, connection=redis), strict=True):
        if job is None:
            continue  # expired between listing and fetching
        found.append(
            JobRead(
                id=job_id,
                queue=queue,
                name=job.description or job.func_name or "",
                state=state,
                enqueued_at=job.enqueued_at,
                started_at=job.started_at,
                ended_at=job.ended_at,
                traceback=_traceback(job) if state == "failed" else None,
            )
        )
    return found


def _traceback(job: Job) -> str | None:
    try:
        result = job.latest_result()
    except NoSuchJobError:
        return None
    return result.exc_string if result is not None else None
