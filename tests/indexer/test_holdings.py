"""What the indexer derives from transfers, claims, revocations and the I-REC path (R-ISS-9, R-ISS-10, R-IREC-1).

Every action here is a transaction sent straight to the chain, as a buyer holding its own wallet would; the
indexer is the only way the platform learns of it.
"""

from datetime import UTC, datetime, timedelta

from dapp import platform
from dapp.issuance.service import holdings as indexed
from indexer.run import catch_up, follower_from_platform
from tests.indexer import onchain

IREC_DOCUMENT = "bafkreidgvpkjawlxz6sffxzwgooowe5yt7i6wsyg236mfoks77nywkptdq"  # any CID of the platform's scheme


def index() -> int:
    return catch_up(follower_from_platform())


def holdings(address: str) -> dict[str, int]:
    with platform.current().db.unit_of_work() as session:
        return {h.token_id: h.balance_wh for h in indexed.holdings(session, address)}


def test_a_transfer_made_directly_on_chain_moves_the_indexed_balance(app) -> None:
    alice, bob = onchain.new_wallet(), onchain.new_wallet()
    [token] = onchain.issue(alice.address, 1_000)
    index()
    assert holdings(alice.address) == {token: 1_000}

    tx_hash = onchain.transfer(alice, bob.address, token, 250)
    index()

    assert holdings(alice.address) == {token: 750} == {token: onchain.balance_of(alice.address, token)}
    assert holdings(bob.address) == {token: 250}
    with platform.current().db.unit_of_work() as session:
        [received] = indexed.transfers(session, bob.address)
    assert (received.token_id, received.from_address, received.value_wh) == (token, alice.address.lower(), 250)
    assert received.tx_hash == tx_hash


def test_a_batch_transfer_moves_every_token_of_the_batch(app) -> None:
    alice, bob = onchain.new_wallet(), onchain.new_wallet()
    first, second = onchain.issue(alice.address, 1_000, 2_000)

    onchain.transfer_batch(alice, bob.address, {first: 1_000, second: 500})
    index()

    assert holdings(alice.address) == {second: 1_500}  # nothing left of `first`: it is no longer listed
    assert holdings(bob.address) == {first: 1_000, second: 500}


def test_a_claim_burns_the_claimed_volume_and_is_recorded_with_its_data(app) -> None:
    alice = onchain.new_wallet()
    [token] = onchain.issue(alice.address, 1_000)
    before = datetime.now(UTC) - timedelta(minutes=1)

    tx_hash = onchain.claim(alice, token, 400, b'{"beneficiary": "School of Kisumu"}')
    index()

    assert holdings(alice.address) == {token: 600}
    with platform.current().db.unit_of_work() as session:
        [claim] = indexed.claims(session, alice.address)
        assert indexed.claimed_wh(session, token) == 400
    assert (claim.token_id, claim.holder, claim.claimed_by) == (token, alice.address.lower(), alice.address.lower())
    assert claim.claimed_wh == 400
    assert claim.claim_data == b'{"beneficiary": "School of Kisumu"}'
    assert claim.tx_hash == tx_hash
    assert claim.claimed_at > before


def test_a_revocation_is_recorded_with_its_reason(app) -> None:
    alice = onchain.new_wallet()
    kept, revoked = onchain.issue(alice.address, 1_000, 2_000)

    onchain.revoke(revoked, "meter tampering found by audit")
    index()

    with platform.current().db.unit_of_work() as session:
        assert indexed.chain_state(session, revoked) == indexed.ChainState(
            revoked, is_revoked=True, revocation_reason="meter tampering found by audit"
        )
        assert not indexed.chain_state(session, kept).is_revoked


def test_a_provisional_certificate_is_held_for_its_beneficiary_until_irec_confirms_it(app) -> None:
    beneficiary = onchain.new_wallet()
    provisional_account = onchain.platform_chain().signer.address
    token = onchain.issue_provisional(beneficiary.address, 3_000)
    index()

    with platform.current().db.unit_of_work() as session:
        provisional = indexed.chain_state(session, token)
    assert provisional.is_provisional
    assert provisional.provisional_beneficiary == beneficiary.address.lower()
    assert holdings(provisional_account)[token] == 3_000
    assert holdings(beneficiary.address) == {}

    onchain.confirm_irec(token, "KE-2026-000001", "KE-2026-000003", IREC_DOCUMENT)
    index()

    with platform.current().db.unit_of_work() as session:
        confirmed = indexed.chain_state(session, token)
    assert not confirmed.is_provisional
    assert (confirmed.irec_serial_start, confirmed.irec_serial_end) == ("KE-2026-000001", "KE-2026-000003")
    assert confirmed.irec_metadata_cid == IREC_DOCUMENT
    assert holdings(beneficiary.address) == {token: 3_000}
    assert token not in holdings(provisional_account)


def test_a_release_as_drec_moves_the_tokens_and_ends_the_provisional_state_only_when_whole(app) -> None:
    beneficiary = onchain.new_wallet()
    whole, part = (onchain.issue_provisional(beneficiary.address, 3_000) for _ in range(2))
    onchain.release_provisional(whole, 3_000)
    onchain.release_provisional(part, 1_000)
    index()

    with platform.current().db.unit_of_work() as session:
        released, partly = indexed.chain_state(session, whole), indexed.chain_state(session, part)
    assert (released.released_wh, released.is_released_whole, released.is_provisional) == (3_000, True, False)
    assert (partly.released_wh, partly.is_released_whole, partly.is_provisional) == (1_000, False, True)
    assert holdings(beneficiary.address) == {whole: 3_000, part: 1_000}


def test_holdings_are_found_whatever_the_letter_case_of_the_address(app) -> None:
    alice = onchain.new_wallet()
    [token] = onchain.issue(alice.address, 1_000)
    index()
    with platform.current().db.unit_of_work() as session:
        [holding] = indexed.holdings(session, alice.address.upper().replace("0X", "0x"))
    assert holding == indexed.Holding(token, 1_000, None)
