"""The chain queue's job: settle transactions left in flight, then send what the installed handlers find due.

The adapter knows no kind of entry itself: features define handlers (their `onchain.py`) and the wiring installs
them once per process (`install`), in the order a run takes them. One worker per signing key keeps nonces in
order.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from dapp import platform
from dapp.chain import contracts, outbox, sending

log = logging.getLogger(__name__)

_installed: tuple[sending.Handler, ...] = ()


def install(handlers: tuple[sending.Handler, ...]) -> None:
    """Make `handlers` the ones every run of this process uses (the wiring calls this at start)."""
    global _installed
    _installed = handlers


def installed() -> tuple[sending.Handler, ...]:
    if not _installed:
        raise RuntimeError("no outbox handler is installed: start the process through dapp.app or the drec command")
    return _installed


def effects(kind: str) -> sending.Effects:
    """What entries of `kind` change besides the outbox (an admin's retry reopens them, for example)."""
    return sending.effects_of(installed(), kind)


def new_run() -> sending.Run:
    p = platform.current()
    return sending.Run(
        p.db,
        contracts.from_settings(p.settings),
        p.clock,
        p.content,
        outbox.RetryPolicy.from_settings(p.settings),
        installed(),
        p.settings.chain_receipt_timeout_seconds,
        p.settings.secret_key,
        p.settings.mint_batch_size,
        replace_after=timedelta(seconds=p.settings.chain_replace_after_seconds),
    )


def submit_outbox_job() -> dict[str, int | str]:
    """chain.submit_outbox: see `submit_outbox`; the job itself does not fail when the chain is down."""
    return submit_outbox(new_run())


def submit_outbox(run: sending.Run) -> dict[str, int | str]:
    """Transactions left in flight, then each handler's entries until none is due; returns how many entries each
    step handled.

    When the chain is unreachable (or a transaction stays unresolved) the run stops where it is (`paused`): the
    entries it tried back off, the others wait, and the scheduler's next run resumes.
    """
    counts: dict[str, int | str] = {}
    steps: list[tuple[str, Callable[[], int]]] = [("in_flight", lambda: sending.settle_in_flight(run))]
    steps += [(handler.name, _until_none(run, handler)) for handler in run.handlers]
    try:
        for name, step in steps:
            counts[name] = step()
    except sending.ChainPaused as pause:
        log.warning("chain submission paused: %s", pause)
        counts["paused"] = str(pause)
    return counts


def _until_none(run: sending.Run, handler: sending.Handler) -> Callable[[], int]:
    def step() -> int:
        handled = 0
        while count := handler.send(run):
            handled += count
        return handled

    return step
