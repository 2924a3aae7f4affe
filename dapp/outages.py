"""Outages of what the processes depend on (PostgreSQL, Redis, the chain node): which errors mean one, and the
loop that keeps a long-running process alive through it (issue 18, ADR 0090).

A process that meets an outage logs it once, waits with a growing pause (1 s, doubling, at most 30 s), tries
again, and logs when it works again; it never ends because a server went away.
"""

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import redis
from sqlalchemy.exc import OperationalError

from dapp.chain.contracts import ChainUnavailable

# Redis gone or not answering, PostgreSQL refusing or dropping connections, a node's socket closed (requests'
# connection errors are OSErrors), or the chain adapter saying the node does not answer.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    OperationalError,
    ChainUnavailable,
    OSError,
)
FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 30.0

log = logging.getLogger(__name__)


@dataclass
class Backoff:
    """Pauses between tries during an outage: `first`, doubled after each failure, at most `longest`."""

    first: float = FIRST_PAUSE_SECONDS
    longest: float = LONGEST_PAUSE_SECONDS
    failures: int = 0
    down_since: float | None = field(default=None)
    parent: int = field(default_factory=os.getppid)  # the process that started ours

    def failed(self, what: str, error: BaseException) -> float:
        """Record a failed try; return how long to wait before the next one. A process whose parent has gone (a
        supervisor killed outright) ends instead of waiting for an outage that may never end."""
        if os.getppid() != self.parent:
            log.warning("%s stopped: %s: %s; the process that started it is gone", what, type(error).__name__, error)
            raise SystemExit(1)
        if self.down_since is None:
            self.down_since = time.monotonic()
        pause = min(self.longest, self.first * 2**self.failures)
        self.failures += 1
        log.warning("%s paused: %s: %s; retrying in %.0f s", what, type(error).__name__, error, pause)
        return pause

    def succeeded(self, what: str) -> None:
        if self.down_since is not None:
            log.info("%s resumed after %.0f s", what, time.monotonic() - self.down_since)
        self.failures = 0
        self.down_since = None


def keep_running(
    step: Callable[[], object], what: str, every: float, also: tuple[type[BaseException], ...] = ()
) -> None:
    """Run `step` every `every` seconds forever; an outage (or one of the errors `also` names) pauses it with
    backoff instead of ending the process."""
    backoff = Backoff()
    while True:
        try:
            step()
        except (*OUTAGE_ERRORS, *also) as error:
            time.sleep(backoff.failed(what, error))
            continue
        backoff.succeeded(what)
        time.sleep(every)
