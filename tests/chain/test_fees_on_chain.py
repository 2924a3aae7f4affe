"""Fees and stuck transactions on a real anvil (ADR 0117): a fee above the ceiling waits and resumes when it
drops; a transaction pending too long is replaced at its nonce with the bump, within the ceiling, and whichever
of the two is mined is the one recorded; a managed account's gas top-up is recorded before it is sent, so a
run that ends between recording and sending never funds it twice.

anvil holds transactions in its pool while automine is off (`mining_by_hand`), takes a base fee set with
`anvil_setNextBlockBaseFeePerGas`, and can lose a pooled transaction (`anvil_dropTransaction`) as a node behind a
load balancer does.
"""

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from dapp import platform
from dapp.chain import custody, jobs
from dapp.chain.contracts import Chain
from dapp.chain.fees import GWEI
from dapp.models.chain import ChainTransaction, OutboxKind
from tests.admin.test_chain_outbox import admin
from tests.factories.certificates import pending_certificates
from tests.issuance.test_claims import CLAIM
from tests.support.chain import mining_by_hand, mint_entries, new_run, outbox_entries, rpc, token, transactions
from tests.test_slice import build_slice, certificates

STUCK_AFTER = timedelta(seconds=2)


@pytest.fixture
def base_fee(chain: Chain) -> Iterator[Callable[[int], None]]:
    """Set the next block's base fee (wei); afterwards the chain's own comes back."""
    before = int(rpc(chain, "eth_feeHistory", 1, "latest", [])["baseFeePerGas"][-1], 16)

    def set_next(wei: int) -> None:
        rpc(chain, "anvil_setNextBlockBaseFeePerGas", hex(wei))

    yield set_next
    set_next(before)
    rpc(chain, "evm_mine")


def stuck_run():
    """A run that replaces a transaction pending for two seconds and waits three for a receipt: one replacement."""
    return replace(new_run(), receipt_timeout=3, replace_after=STUCK_AFTER)


def test_a_fee_above_the_ceiling_waits_visibly_and_resumes_when_the_fee_drops(app, settings, chain, base_fee) -> None:
    pending = pending_certificates(app, days=1)
    ceiling_gwei = settings.chain_max_fee_gwei
    base_fee(int(ceiling_gwei * GWEI) + GWEI)

    counts = jobs.submit_outbox(new_run())
    assert counts["paused"].startswith("Waiting for fees to drop: the network asks")
    assert transactions() == [], "a transaction was signed above the ceiling"
    assert [(e.status, e.attempts) for e in outbox_entries(None)] == [("pending", 0)] * 2
    metrics = app.test_client().get("/metrics").get_data(as_text=True)
    assert "drec_chain_fee_above_ceiling 1.0" in metrics
    assert f"drec_chain_fee_ceiling_gwei {ceiling_gwei}" in metrics
    page = admin(app).client.get("/admin").get_data(as_text=True)
    assert "Above the ceiling: transactions wait until the fee drops." in page

    base_fee(2 * GWEI)
    counts = jobs.submit_outbox(new_run())
    assert "paused" not in counts
    assert [e.status for e in outbox_entries(None)] == ["done"] * 2
    assert token(chain).balanceOf(pending.wallet, pending.token_ids[0]).call() == pending.volumes_wh[0]
    assert all(t.max_fee_per_gas <= ceiling_gwei * GWEI for t in transactions())
    assert "drec_chain_fee_above_ceiling 0.0" in app.test_client().get("/metrics").get_data(as_text=True)


def test_a_stuck_transaction_is_replaced_at_its_nonce_with_higher_fees_and_the_replacement_recorded(
    app, settings, chain
) -> None:
    pending = pending_certificates(app, days=1)
    with mining_by_hand(chain) as mine:
        counts = jobs.submit_outbox(stuck_run())
        assert "not mined after 3 s" in counts["paused"]
        stuck, replacement = transactions()
        assert (stuck.status, replacement.status, replacement.replaces_id) == ("replaced", "sent", stuck.id)
        assert (replacement.sender, replacement.nonce) == (stuck.sender, stuck.nonce)
        assert replacement.max_fee_per_gas >= stuck.max_fee_per_gas * 1.1
        assert replacement.max_priority_fee_per_gas >= stuck.max_priority_fee_per_gas * 1.1
        assert replacement.max_fee_per_gas <= settings.chain_max_fee_gwei * GWEI
        assert chain.is_known(replacement.tx_hash)
        [log] = outbox_entries(OutboxKind.LOG_RESERVATION_CREATED)
        assert (log.status, log.transaction_id) == ("sent", replacement.id)
        mine()

    jobs.submit_outbox(new_run())
    [log] = outbox_entries(OutboxKind.LOG_RESERVATION_CREATED)
    assert (log.status, log.tx_hash) == ("done", replacement.tx_hash)
    assert [t.status for t in transactions()][:2] == ["dropped", "mined"]
    assert [e.status for e in mint_entries()] == ["done"]
    assert token(chain).balanceOf(pending.wallet, pending.token_ids[0]).call() == pending.volumes_wh[0]


def test_when_the_replaced_transaction_is_mined_instead_it_is_the_one_recorded(app, settings, chain) -> None:
    pending_certificates(app, days=1)
    with mining_by_hand(chain) as mine:
        jobs.submit_outbox(stuck_run())
        stuck, replacement = transactions()
        # The node that mines never saw the replacement (another node behind the same RPC address did).
        rpc(chain, "anvil_dropTransaction", replacement.tx_hash)
        chain.broadcast(stuck.raw_transaction)
        mine()

    jobs.submit_outbox(new_run())
    [log] = outbox_entries(OutboxKind.LOG_RESERVATION_CREATED)
    assert (log.status, log.tx_hash, log.transaction_id) == ("done", stuck.tx_hash, stuck.id)
    assert [t.status for t in transactions()][:2] == ["mined", "dropped"]
    assert chain.receipt(replacement.tx_hash) is None


def test_a_replacement_the_node_never_got_is_broadcast_again_once(app, settings, chain) -> None:
    pending_certificates(app, days=1)
    with mining_by_hand(chain):
        jobs.submit_outbox(stuck_run())
        stuck, replacement = transactions()
        rpc(chain, "anvil_dropTransaction", replacement.tx_hash)  # as if the worker died before sending it
        assert not chain.is_known(replacement.tx_hash)
        assert not chain.is_known(stuck.tx_hash)
    nonce = chain.mined_nonce(chain.signer.address)

    jobs.submit_outbox(replace(new_run(), replace_after=timedelta(hours=1)))
    [log] = outbox_entries(OutboxKind.LOG_RESERVATION_CREATED)
    assert (log.status, log.tx_hash) == ("done", replacement.tx_hash)
    assert chain.receipt(replacement.tx_hash)["blockNumber"] > 0
    assert [t.nonce for t in transactions()][:2] == [nonce, nonce], "the log was signed anew"


def test_a_gas_top_up_recorded_but_never_sent_is_sent_once_after_a_restart(app, settings, chain) -> None:
    journey = build_slice(app, settings)
    buyer = journey["buyer"]
    holder = journey["reservation"]["wallet_address"]
    [certificate] = certificates(buyer)
    assert chain.balance_wei(holder) == 0
    claimed = buyer.api("POST", f"/api/v1/certificates/{certificate['id']}/claims", {**CLAIM, "volume_wh": 1_000})
    assert claimed.status_code == 201, claimed.json
    platform.current().queue("chain").empty()

    with mining_by_hand(chain):
        assert "not mined" in jobs.submit_outbox(replace(new_run(), receipt_timeout=1))["paused"]
        [top_up] = top_ups(holder)
        assert top_up.status == "sent"
        rpc(chain, "anvil_dropTransaction", top_up.tx_hash)  # the worker died between recording and sending

    counts = jobs.submit_outbox(new_run())
    assert (counts["in_flight"], counts["claims"]) == (1, 1)
    [top_up] = top_ups(holder)
    assert top_up.status == "mined"
    [claim] = outbox_entries(OutboxKind.CLAIM_CERTIFICATE)
    assert claim.status == "done"
    claim_cost = chain.receipt(claim.tx_hash)["gasUsed"] * chain.receipt(claim.tx_hash)["effectiveGasPrice"]
    assert chain.balance_wei(holder) == custody.GAS_TOP_UP_WEI - claim_cost, "the account was funded twice"


def top_ups(address: str) -> list[ChainTransaction]:
    return [t for t in transactions() if t.top_up_to == address]
