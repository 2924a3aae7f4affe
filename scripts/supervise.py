"""Run the processes of a Procfile and keep them running: a process that ends is started again after a pause
(1 s, doubling up to 30 s; back to 1 s once it has run for a minute), and never stops the others. `make up` runs
the Procfile with it (issue 18, ADR 0090); honcho, which it replaces, stops every process as soon as one ends.

However the supervisor ends, its processes end with it (ADR 0120): Ctrl-C, SIGTERM or SIGHUP (and any error)
send SIGTERM to every process group at once and SIGKILL to those still there after STOP_SECONDS; a supervisor
killed outright (SIGKILL) leaves each process a SIGTERM from the kernel (PR_SET_PDEATHSIG).

`python -m scripts.supervise [Procfile]`: each output line is prefixed with the time and the process's name.
"""

# ruff: noqa: S603, S607 - every command run here is a line of this checkout's Procfile
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
STEADY_AFTER = 60.0  # a process that ran this long before ending starts again after the first pause
STOP_SECONDS = 10.0  # then SIGKILL; below `make up`'s own 15 s wait for the supervisor
PR_SET_PDEATHSIG = 1  # prctl option: the signal a child gets when its parent dies (linux/prctl.h)
_print_lock = threading.Lock()


def read_procfile(path: Path) -> dict[str, str]:
    """The `name: command` lines of a Procfile, in order (comments and blank lines skipped)."""
    entries = {}
    for line in path.read_text().splitlines():
        name, colon, command = line.partition(":")
        if colon and name.strip() and not name.lstrip().startswith("#"):
            entries[name.strip()] = command.strip()
    return entries


def term_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the parent dies, so a killed parent leaves no orphans."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def say(name: str, text: str) -> None:
    with _print_lock:
        print(f"{datetime.now():%H:%M:%S} {name:<10}| {text}", flush=True)


@dataclass
class Supervised:
    """One Procfile entry, its running process and when it may be started again."""

    name: str
    command: str
    cwd: Path
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = field(default=0.0)

    def start(self) -> None:
        # bash expands ${VAR:-default} as honcho did; the process group is what `stop` signals.
        self.process = subprocess.Popen(
            ["bash", "-c", self.command],
            cwd=self.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the supervisor, which stops each process in order
            preexec_fn=term_with_parent,  # a killed supervisor leaves no orphans
        )
        self.started_at = time.monotonic()
        self.restart_at = None
        threading.Thread(target=_relay, args=(self.name, self.process.stdout), daemon=True).start()
        say(self.name, f"started with pid {self.process.pid}")

    def check(self, now: float) -> None:
        """Start the process if it is due; notice if it ended and decide when it starts again."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.start()
            return
        assert self.process is not None
        code = self.process.poll()
        if code is None:
            return
        if now - self.started_at >= STEADY_AFTER:
            self.failures = 0
        pause = min(LONGEST_PAUSE, FIRST_PAUSE * 2**self.failures)
        self.failures += 1
        self.restart_at = now + pause
        say(self.name, f"exited with code {code}; starting it again in {pause:.0f} s (the others keep running)")

    def signal_group(self, signum: int) -> None:
        """Send `signum` to the process's group: the process and whatever it started that stayed in its group."""
        if self.process is not None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)


def stop_all(entries: list[Supervised], timeout: float = STOP_SECONDS) -> None:
    """SIGTERM every process group at once, wait up to `timeout` in all, then SIGKILL every group."""
    running = [entry for entry in entries if entry.process is not None and entry.process.poll() is None]
    for entry in running:
        entry.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for entry in running:
        assert entry.process is not None
        with suppress(subprocess.TimeoutExpired):
            entry.process.wait(max(0.0, deadline - time.monotonic()))
    for entry in entries:  # the group outlives its first process when something in it stayed behind
        entry.signal_group(signal.SIGKILL)
        if entry.process is not None:
            entry.process.wait()


def _relay(name: str, stream: IO[bytes] | None) -> None:
    assert stream is not None
    for raw in stream:
        say(name, raw.decode(errors="replace").rstrip())


def run(procfile: Path, poll_seconds: float = 0.2) -> None:
    """Supervise every entry of `procfile` until Ctrl-C, SIGTERM or SIGHUP, then stop them all."""
    entries = [Supervised(name, command, procfile.parent) for name, command in read_procfile(procfile).items()]
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: sys.exit(0))
    try:
        while True:
            now = time.monotonic()
            for entry in entries:
                entry.check(now)
            time.sleep(poll_seconds)
    except KeyboardInterrupt:
        pass
    finally:
        stop_all(entries)


def main() -> None:
    run(Path(sys.argv[1] if len(sys.argv) > 1 else "Procfile").resolve())


if __name__ == "__main__":
    main()
