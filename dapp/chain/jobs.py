"""RQ jobs of the chain queue: one worker per signing key keeps nonces in order."""

from dapp import platform
from dapp.chain import contracts, submit


def submit_outbox_job() -> dict[str, int]:
    """chain.submit_outbox: write pending reservation logs, then mint pending certificates batch by batch."""
    p = platform.current()
    chain = contracts.from_settings(p.settings)
    with p.db.unit_of_work() as session:
        logged = submit.submit_reservation_logs(session, chain, p.content, p.clock.now())
    handled = 0
    while True:
        with p.db.unit_of_work() as session:
            count = submit.submit_mints(session, chain, p.content, p.settings.mint_batch_size, p.clock.now())
        if count == 0:
            return {"logged": logged, "mint_entries": handled}
        handled += count
