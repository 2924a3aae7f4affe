"""RQ jobs of the chain queue: one worker per signing key keeps nonces in order."""

from dapp import platform
from dapp.chain import claims, contracts, submit, transfers


def submit_outbox_job() -> dict[str, int]:
    """chain.submit_outbox: reservation logs, then certificate mints batch by batch, then claims and transfers."""
    p = platform.current()
    chain = contracts.from_settings(p.settings)
    with p.db.unit_of_work() as session:
        logged = submit.submit_reservation_logs(session, chain, p.content, p.clock.now())
    handled = 0
    while True:
        with p.db.unit_of_work() as session:
            count = submit.submit_mints(session, chain, p.content, p.settings.mint_batch_size, p.clock.now())
        if count == 0:
            break
        handled += count
    with p.db.unit_of_work() as session:
        claimed = claims.submit_claims(session, chain, p.settings.secret_key, p.clock.now())
    with p.db.unit_of_work() as session:
        transferred = transfers.submit_transfers(session, chain, p.settings.secret_key, p.clock.now())
    return {"logged": logged, "mint_entries": handled, "claims": claimed, "transfers": transferred}
