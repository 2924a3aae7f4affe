"""Jobs are asked for by name (dapp.platform): every name written in the code must be a job, and every job must say
its name, so a typo fails here and not in a worker."""

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from rq import SimpleWorker
from rq.job import Job

from dapp import platform
from dapp.jobs.scheduler import PERIODIC_JOBS
from dapp.platform import QUEUE_NAMES, QUEUES, job_path

ROOT = Path(__file__).resolve().parent.parent


def names_in_code() -> Iterator[tuple[str, str]]:
    """(where, name) of every job name passed as a literal to `enqueue` or `enqueue_after_commit`."""
    for path in sorted((ROOT / "dapp").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            position = {"enqueue": 0, "enqueue_after_commit": 1}.get(function)
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", argument.value


ALL_NAMES = sorted({name for _, name in names_in_code()} | set(PERIODIC_JOBS) | set(QUEUES))


def job_function(name: str):
    module, _, function = job_path(name).rpartition(".")
    return getattr(importlib.import_module(module), function)


def test_the_code_asks_for_jobs_by_name() -> None:
    assert len(ALL_NAMES) >= 10


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_job_name_is_a_job_that_says_its_name(name: str) -> None:
    function = job_function(name)
    assert (function.__doc__ or "").startswith(f"{name}:"), f"{job_path(name)} should document itself as {name}"


def test_every_job_goes_to_a_queue_a_worker_listens_to() -> None:
    assert set(QUEUES.values()) <= set(QUEUE_NAMES)


def test_a_name_without_a_package_is_refused() -> None:
    with pytest.raises(ValueError, match=r"<package>\.<verb>_<object>"):
        job_path("process_upload")


def test_a_job_id_queues_the_work_once_while_it_waits_and_again_once_it_ended(app) -> None:
    """Found by tests/test_scale_out.py: every scheduler tick queued each due window again while the workers were
    behind (RQ pushes a job id twice unless asked to keep it unique), so one window's job ran up to eight times."""
    queue = platform.current().queue()
    window = ("00000000-0000-0000-0000-000000000000", "2026-06-01T00:00:00+00:00", "2026-06-01T01:00:00+00:00")
    for _ in range(3):
        platform.enqueue("issuance.certify_window", *window, job_id="the-window")
    assert queue.get_job_ids() == ["the-window"]

    SimpleWorker([queue], connection=queue.connection).work(burst=True)  # no such reservation: it fails
    assert Job.fetch("the-window", connection=queue.connection).get_status() == "failed"
    platform.enqueue("issuance.certify_window", *window, job_id="the-window")
    assert queue.get_job_ids() == ["the-window"], "an ended job blocked a new request for the same work"
