"""Minting pipeline (R-ISS-6): failed tries back off and finally fail; a refused or reverted batch leaves no
partial state; a transaction recorded by a worker that died is settled, never doubled (ADR 0052, 0053).

Real anvil and contracts. The chain job runs in this process here; tests/chain/test_worker_faults.py kills real
worker processes.
"""

from datetime import timedelta

import pytest
from eth_account import Account

from dapp import platform
from dapp.chain import calls, jobs
from dapp.chain.contracts import Chain
from dapp.chain.sending import ChainPaused, deliver
from dapp.ipfs import add_json
from dapp.issuance import metadata
from dapp.issuance import onchain as mints
from dapp.models.chain import OutboxEntry, OutboxStatus
from dapp.models.issuance import Certificate
from dapp.reservations import onchain as reservation_log
from tests.factories.certificates import pending_certificates
from tests.support.chain import (
    POLICY,
    certificate_rows,
    mining_by_hand,
    mint_entries,
    new_run,
    outbox_entries,
    token,
    transactions,
    unreachable,
)


def content():
    return platform.current().content


def after_backoff(entries: list[OutboxEntry]) -> None:
    """Move the clock past the latest `next_attempt_at` of these entries."""
    platform.current().clock.set(max(e.next_attempt_at for e in entries if e.next_attempt_at) + timedelta(seconds=1))


def assert_minted_once(chain: Chain, pending, indexes: range | list[int]) -> None:
    for i in indexes:
        assert token(chain).balanceOf(pending.wallet, pending.token_ids[i]).call() == pending.volumes_wh[i]


def test_a_failing_try_backs_off_exponentially_and_the_last_one_fails_the_entry(app, settings) -> None:
    pending_certificates(app, days=1)
    down, clock = unreachable(settings), platform.current().clock
    for attempt in range(1, POLICY.max_attempts + 1):
        started = clock.now()
        with pytest.raises(ChainPaused, match="ConnectionError"):
            mints.send_mints(new_run(down))
        [entry] = mint_entries()
        assert entry.attempts == attempt
        assert entry.last_error.startswith("ConnectionError")
        if attempt == POLICY.max_attempts:
            assert (entry.status, entry.next_attempt_at) == (OutboxStatus.FAILED, None)
            break
        nominal = min(POLICY.max_seconds, POLICY.base_seconds * 2 ** (attempt - 1))
        waited = (entry.next_attempt_at - started).total_seconds()
        assert nominal * (1 - POLICY.jitter) - 1 <= waited <= nominal * (1 + POLICY.jitter) + 1
        assert entry.status == OutboxStatus.PENDING
        assert mints.send_mints(new_run(down)) == 0, "tried again before its backoff was over"
        after_backoff([entry])
    assert mints.send_mints(new_run(down)) == 0, "a failed entry is not tried any more"


def test_an_unreachable_chain_stops_the_run_after_one_failed_try(app, settings) -> None:
    pending_certificates(app)
    counts = jobs.submit_outbox(new_run(unreachable(settings)))
    assert "ConnectionError" in counts["paused"]
    # The reservation's log entry came first and failed; the mints were not tried (no attempt spent on them).
    assert [(e.kind, e.status, e.attempts) for e in outbox_entries(None)] == [
        ("log_reservation_created", "pending", 1),
        ("mint_certificate", "pending", 0),
        ("mint_certificate", "pending", 0),
        ("mint_certificate", "pending", 0),
    ]


def test_a_refused_certificate_fails_alone_and_its_batch_mints_nothing_until_tried_again(app, chain) -> None:
    pending = pending_certificates(app)
    with platform.current().db.unit_of_work() as session:  # its owner: a contract that cannot receive tokens
        session.get_one(Certificate, pending.certificate_ids[1]).owner_address = chain.contract(
            "ReservationLog"
        ).address
    run = new_run()

    assert mints.send_mints(run) == 3
    assert not any(token(chain).isIssued(t).call() for t in pending.token_ids), "a partial batch reached the chain"
    assert all(c.mint_tx_hash is None and c.metadata_cid is None for c in certificate_rows(pending.certificate_ids))
    entries = mint_entries()
    assert [(e.status, e.attempts) for e in entries] == [("pending", 0), ("pending", 1), ("pending", 0)]
    assert entries[1].last_error.startswith("The contract refused the call")
    assert entries[1].next_attempt_at > platform.current().clock.now()
    assert transactions() == []

    assert mints.send_mints(run) == 2  # the rest, in a batch of its own
    assert mints.send_mints(run) == 0  # the refused one waits for its backoff
    assert_minted_once(chain, pending, [0, 2])
    assert not token(chain).isIssued(pending.token_ids[1]).call()
    first, _, third = certificate_rows(pending.certificate_ids)
    assert first.mint_tx_hash == third.mint_tx_hash == transactions()[0].tx_hash


def test_a_batch_reverted_on_chain_leaves_none_of_its_certificates_minted(app, chain) -> None:
    pending = pending_certificates(app)
    run = new_run()
    with mining_by_hand(chain) as mine:
        # Another issuer's transaction, ahead in the pool, issues the first certificate.
        front_run = _issue_outside_the_pipeline(chain, pending.certificate_ids[0])
        recorded_id = mints.prepare_mints(run)  # the gas estimate (latest block) does not see it
        [recorded] = [t for t in transactions() if t.id == recorded_id]
        chain.broadcast(recorded.raw_transaction)
        mine()
    assert chain.receipt(front_run)["status"] == 1

    deliver(run, recorded_id)
    [recorded] = [t for t in transactions() if t.id == recorded_id]
    assert recorded.status == "reverted"
    assert not any(token(chain).isIssued(t).call() for t in pending.token_ids[1:]), "a reverted batch minted"
    assert all(c.mint_tx_hash is None for c in certificate_rows(pending.certificate_ids))
    entries = mint_entries()
    assert [(e.status, e.attempts, e.tx_hash) for e in entries] == [("pending", 1, None)] * 3
    assert all("reverted" in e.last_error for e in entries)

    after_backoff(entries)
    assert mints.send_mints(new_run()) == 3
    assert_minted_once(chain, pending, [1, 2])
    entries = mint_entries()
    assert [e.status for e in entries] == ["done"] * 3
    assert entries[0].tx_hash is None  # issued by the other transaction: done without one of ours
    assert entries[1].tx_hash == entries[2].tx_hash == transactions()[-1].tx_hash


def test_a_transaction_recorded_by_a_worker_that_died_before_broadcasting_is_sent_once(app, settings, chain) -> None:
    pending = pending_certificates(app)
    run = new_run()
    assert reservation_log.send_log_entry(run) == 1
    nonce = chain.mined_nonce(chain.signer.address)
    recorded_id = mints.prepare_mints(run)
    [recorded] = transactions()[-1:]
    assert (recorded.id, recorded.nonce, recorded.status) == (recorded_id, nonce, "sent")
    assert [(e.status, e.tx_hash) for e in mint_entries()] == [("sent", recorded.tx_hash)] * 3
    assert not chain.is_known(recorded.tx_hash)

    counts = jobs.submit_outbox(new_run())
    assert (counts["in_flight"], counts["mint_entries"]) == (1, 0)
    assert chain.mined_nonce(chain.signer.address) == nonce + 1, "a second transaction was sent"
    assert chain.receipt(recorded.tx_hash)["status"] == 1
    assert [(e.status, e.tx_hash, e.attempts) for e in mint_entries()] == [("done", recorded.tx_hash, 1)] * 3
    assert_minted_once(chain, pending, range(3))


def test_a_transaction_whose_nonce_another_took_is_dropped_and_its_certificates_sent_anew(app, settings, chain) -> None:
    pending = pending_certificates(app)
    run = new_run()
    assert reservation_log.send_log_entry(run) == 1
    recorded_id = mints.prepare_mints(run)
    nonce = chain.pool_nonce(chain.signer.address)  # another transaction of the platform account, same nonce
    transfer = chain.sign_transfer(chain.signer, Account.create().address, 10**15, nonce, chain.fee_quote().fees())
    chain.broadcast(transfer.raw)
    chain.wait_for_receipt(transfer.tx_hash, 10)

    counts = jobs.submit_outbox(new_run())
    assert (counts["in_flight"], counts["mint_entries"]) == (1, 0)
    assert [(t.id, t.status) for t in transactions()][-1] == (recorded_id, "dropped")
    entries = mint_entries()
    assert [(e.status, e.attempts) for e in entries] == [("pending", 1)] * 3
    assert all("dropped" in e.last_error for e in entries)

    after_backoff(entries)
    jobs.submit_outbox(new_run())
    assert [t.status for t in transactions()][-2:] == ["dropped", "mined"]
    assert [e.status for e in mint_entries()] == ["done"] * 3
    assert_minted_once(chain, pending, range(3))


def _issue_outside_the_pipeline(chain: Chain, certificate_id) -> str:
    """Broadcast an issueBatch of one certificate from the platform account, as an operator's script might."""
    with platform.current().db.unit_of_work() as session:
        certificate = session.get_one(Certificate, certificate_id)
        certificate.metadata_cid = add_json(content(), metadata.document(session, certificate))
        data = mints.certificate_data(certificate)
        certificate.metadata_cid = None  # the platform's record stays as it was: only the chain knows
    call = calls.issue_batch(chain, [data]).function
    signed = chain.sign(call, chain.signer, chain.pool_nonce(chain.signer.address), chain.fee_quote().fees())
    chain.broadcast(signed.raw)
    return signed.tx_hash
