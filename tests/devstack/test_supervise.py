"""`make up`'s process supervisor (scripts/supervise.py): a process that ends is started again, and never stops
the others; SIGTERM stops them all."""

import signal
import subprocess
import sys
import time
from pathlib import Path

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
