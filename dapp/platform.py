"""The services one process uses, built once from Settings: database, Redis, clock, queues, content store; and
background jobs by name.

A job is named "<package>.<verb>_<object>" (STYLE.md) and is the function `<verb>_<object>_job` of
`dapp.<package>.jobs`; it takes ids and opens its own unit of work. Use cases ask for one with
`enqueue_after_commit`, which queues it once their unit of work has committed. The name travels to the worker as
a string, so a lower package can ask for a job of a higher one without importing it; tests/test_jobs.py checks
that every name written in the code is a job.
"""

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, partial
from typing import Any

from redis import Redis
from rq import Queue
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy.orm import Session

import dapp.models  # noqa: F401 - every mapper registered, whichever feature a worker imports first
from dapp.clock import Clock
from dapp.db import Database, after_commit
from dapp.ipfs import ContentStore, content_store_from_settings
from dapp.settings import Settings

ENDED = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)
QUEUE_NAMES = ("default", "chain", "bulk", "email", "webhooks")
QUEUES = {  # the queue of each job that does not go to "default"
    "chain.submit_outbox": "chain",
    "devices.process_upload": "bulk",
    "accounts.send_confirmation": "email",
    "accounts.send_password_reset": "email",
    "accounts.send_registration_attempt": "email",
    "accounts.send_invitation": "email",
    "devices.send_upload_received": "email",
    "notify.send_notification_emails": "email",
    "webhooks.fan_out_events": "webhooks",
    "webhooks.deliver_webhook": "webhooks",
    "webhooks.retry_deliveries": "webhooks",
    "webhooks.prune_events": "webhooks",
}


@dataclass
class Platform:
    settings: Settings

    @cached_property
    def db(self) -> Database:
        return Database(self.settings.database_url)

    @cached_property
    def redis(self) -> Redis:
        return Redis.from_url(self.settings.redis_url)

    @cached_property
    def clock(self) -> Clock:
        return Clock(self.redis if self.settings.allow_clock_control else None)

    @cached_property
    def content(self) -> ContentStore:
        return content_store_from_settings(self.settings.ipfs_api_url, self.settings.ipfs_dir)

    def queue(self, name: str = "default") -> Queue:
        return Queue(name, connection=self.redis)


_current: Platform | None = None


def install(platform: Platform) -> Platform:
    """Make `platform` the one `current()` returns (web app factory, worker start, tests)."""
    global _current
    _current = platform
    return platform


def current() -> Platform:
    """The process's platform; built from the environment on first use (RQ worker processes)."""
    if _current is None:
        settings = Settings()
        settings.check_production_safety()
        return install(Platform(settings))
    return _current


def job_path(name: str) -> str:
    """The import path of the job named `name`: "devices.process_upload" → "dapp.devices.jobs.process_upload_job"."""
    package, dot, action = name.partition(".")
    if not dot or not package or not action:
        raise ValueError(f"a job name is '<package>.<verb>_<object>', not {name!r}")
    return f"dapp.{package}.jobs.{action}_job"


def enqueue(name: str, *args: Any, job_id: str | None = None) -> None:
    """Queue the job `name` with `args` now. A job id makes a second request for the same work a no-op while the
    first waits or runs (two schedulers, or every tick while the workers are behind); once it has ended, a new
    request queues it again. RQ logs the job's name, never its arguments."""
    queue = current().queue(QUEUES.get(name, "default"))
    if job_id is None:
        queue.enqueue(job_path(name), *args, description=name)
        return
    with suppress(DuplicateJobError):
        if _ended(job_id, queue.connection):
            queue.enqueue(job_path(name), *args, job_id=job_id, description=name, unique=True)


def _ended(job_id: str, redis: Redis) -> bool:
    """True if no job `job_id` waits or runs; one that ended (done, failed, stopped) is deleted to make room."""
    try:
        job = Job.fetch(job_id, connection=redis)
    except NoSuchJobError:
        return True
    if job.get_status(refresh=False) in ENDED:
        job.delete()
        return True
    return False


def due_every(key: str, every: timedelta) -> bool:
    """Whether a periodic pass recorded at `key` is due on the platform clock: `every` has passed since the last
    one (or the clock was moved back before it). A due answer records now as the last pass."""
    p = current()
    now = p.clock.now()
    last = p.redis.get(key)
    if last is not None:
        since = now - datetime.fromisoformat(last if isinstance(last, str) else last.decode())
        if timedelta(0) <= since < every:
            return False
    p.redis.set(key, now.isoformat())
    return True


def enqueue_after_commit(session: Session, name: str, *args: Any, job_id: str | None = None) -> None:
    """Queue the job `name` with `args` once the unit of work of `session` has committed (once per name and
    arguments)."""
    after_commit(session, partial(enqueue, name, *args, job_id=job_id), key=("job", name, args))
