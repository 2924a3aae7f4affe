"""RQ jobs of the chain queue: one worker per signing key keeps nonces in order."""

import logging
from collections.abc import Callable
from typing import Any

from dapp import platform
from dapp.chain import claims, contracts, outbox, sending, submit, transfers
from dapp.chain.models import OutboxKind
from dapp.ipfs import ContentStore

log = logging.getLogger(__name__)

# What each kind of outbox entry changes besides the outbox when it is done or given up.
EFFECTS: dict[str, sending.Effects] = {
    OutboxKind.MINT_CERTIFICATE: submit.MINT_EFFECTS,
    OutboxKind.CLAIM_CERTIFICATE: claims.CLAIM_EFFECTS,
    OutboxKind.TRANSFER_CERTIFICATE: transfers.TRANSFER_EFFECTS,
    **{kind: sending.Effects() for kind in submit.RESERVATION_LOG_KINDS},
}


def new_run() -> sending.Run:
    p = platform.current()
    return sending.Run(
        p.db,
        contracts.from_settings(p.settings),
        p.clock,
        outbox.RetryPolicy.from_settings(p.settings),
        EFFECTS,
        p.settings.chain_receipt_timeout_seconds,
    )


def enqueue_submit() -> None:
    """Run the chain job soon (after a commit that made outbox entries due)."""
    platform.current().queue("chain").enqueue(submit_outbox_job)


def submit_outbox_job() -> dict[str, int | str]:
    """chain.submit_outbox: see `submit_outbox`; the job itself does not fail when the chain is down."""
    p = platform.current()
    return submit_outbox(new_run(), p.content, p.settings)


def submit_outbox(run: sending.Run, content: ContentStore, settings: Any) -> dict[str, int | str]:
    """Transactions left in flight, then reservation logs, certificate mints batch by batch, claims and transfers, each
    until none is due; returns how many entries each step handled.

    When the chain is unreachable (or a transaction stays unresolved) the run stops where it is (`paused`): the
    entries it tried back off, the others wait, and the scheduler's next run resumes.
    """
    counts: dict[str, int | str] = {}
    steps: list[tuple[str, Callable[[], int]]] = [
        ("in_flight", lambda: sending.settle_in_flight(run)),
        ("logged", lambda: _until_none(lambda: submit.submit_reservation_log(run, content))),
        ("mint_entries", lambda: _until_none(lambda: submit.submit_mints(run, content, settings.mint_batch_size))),
        ("claims", lambda: _until_none(lambda: claims.submit_claim(run, settings.secret_key))),
        ("transfers", lambda: _until_none(lambda: transfers.submit_transfer(run, settings.secret_key))),
    ]
    try:
        for name, step in steps:
            counts[name] = step()
    except sending.ChainPaused as pause:
        log.warning("chain submission paused: %s", pause)
        counts["paused"] = str(pause)
    return counts


def _until_none(step: Callable[[], int]) -> int:
    handled = 0
    while count := step():
        handled += count
    return handled
