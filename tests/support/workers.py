"""Running the platform's background processes inside a test: scheduler ticks, RQ workers, the indexer."""

from rq import SimpleWorker
from rq.job import Job

from dapp import platform
from dapp.jobs.scheduler import LOCK_KEY, period_of, tick
from dapp.platform import QUEUE_NAMES
from indexer.run import catch_up, follower_from_platform


def run_jobs(queue_names: tuple[str, ...] = QUEUE_NAMES) -> None:
    """Work every queued job (and the jobs they enqueue) until the queues are empty."""
    p = platform.current()
    queues = [p.queue(name) for name in queue_names]
    SimpleWorker(queues, connection=p.redis).work(burst=True, with_scheduler=False)
    failed = [job_id for queue in queues for job_id in queue.failed_job_registry.get_job_ids()]
    if failed:
        job = Job.fetch(failed[0], connection=p.redis)
        raise AssertionError(f"{len(failed)} job(s) failed; first: {job.func_name}\n{job.latest_result().exc_string}")


def deliver_emails() -> None:
    """Work the email queue only (the emails asked for so far)."""
    run_jobs(("email",))


def scheduler_tick() -> None:
    p = platform.current()
    period = period_of(p.clock.now())
    p.redis.delete(f"{LOCK_KEY}:{period}")
    assert tick(period)


def run_indexer() -> int:
    return catch_up(follower_from_platform())


def settle() -> None:
    """One scheduler tick, all resulting jobs, then the indexer up to the chain head."""
    scheduler_tick()
    run_jobs()
    run_indexer()
