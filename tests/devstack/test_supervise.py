"""`make up`'s process supervisor (scripts/supervise.py): a process that ends is started again, and never stops
the others; however the supervisor ends, they all end (ADR 0120)."""

import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError
from rq import Worker

from scripts import devstack
from tests.support.processes import DREC, environment, launch

ROOT = Path(__file__).resolve().parents[2]


def test_a_process_that_ends_is_restarted_and_the_others_keep_running(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        "# a comment\n"
        f"crashy: echo started >> {starts}; exit 3\n"
        "steady: echo ${STEADY_WORD:-steady}; exec sleep 600\n"
    )
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "scripts.supervise", str(procfile)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while _count(starts) < 3:  # the first run, then restarts after 1 s and 2 s
            assert supervisor.poll() is None, "the supervisor ended with its crashing process"
            assert time.monotonic() < deadline, "the crashing process was not restarted"
            time.sleep(0.2)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        output, _ = supervisor.communicate(timeout=30)
    assert "exited with code 3; starting it again in 1 s" in output
    assert "exited with code 3; starting it again in 2 s" in output
    steady_lines = [line for line in output.splitlines() if "steady" in line.split("|")[0]]
    assert sum("started with pid" in line for line in steady_lines) == 1, output  # never restarted, never stopped
    assert any(line.endswith("| steady") for line in steady_lines), output  # ${VAR:-default} expanded
    assert "exited" not in "".join(steady_lines)


def _count(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_however_the_supervisor_ends_its_processes_end_with_it(app, settings, tmp_path: Path, signum: int) -> None:
    """After `timeout 200 make up`, RQ workers lived on for 25 minutes retrying their vanished Redis: a stop asked
    for during an outage was forgotten. Here a worker loses its Redis, then its supervisor is stopped or killed."""
    redis_url, stop_redis = devstack.start_redis(tmp_path, devstack.free_port())
    procfile = tmp_path / "Procfile"
    worker = " ".join(shlex.quote(word) for word in [*DREC, "worker", "default"])
    procfile.write_text(f"sleepy: exec sleep 600\nworker: exec {worker}\n")
    log = tmp_path / "supervisor.log"
    command = [sys.executable, "-m", "scripts.supervise", str(procfile)]
    supervisor = launch(command, environment(settings, redis_url=redis_url), log)
    try:
        _wait(lambda: _rq_workers(redis_url) == 1, "the worker works", log)
        stop_redis()
        time.sleep(2)  # the worker meets the outage and waits for Redis
        started = [int(line.rsplit(" ", 1)[1]) for line in log.read_text().splitlines() if "started with pid" in line]
        assert len(started) == 2, log.read_text()
        supervisor.send_signal(signum)
        supervisor.wait(30)
        _wait(lambda: not [pid for pid in started if _alive(pid)], "every process ended", log)
    finally:
        supervisor.kill()
        stop_redis()


def _rq_workers(redis_url: str) -> int:
    try:
        return len(Worker.all(connection=Redis.from_url(redis_url)))
    except RedisError:
        return 0


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for its new parent to reap it has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait(condition: Callable[[], bool], what: str, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}:\n{log.read_text()[-3000:]}"
        time.sleep(0.2)
