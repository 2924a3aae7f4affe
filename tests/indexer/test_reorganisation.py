"""Reorganisations deeper than the confirmation depth (R-IDX-1): the indexer rewinds and undoes the effects.

anvil plays the reorganisation: `evm_snapshot` before the blocks that will be orphaned, `evm_revert` to drop
them, then other transactions (and `anvil_mine`) build the new branch. Confirmations are 0, so every
orphaned block had been indexed.
"""

import uuid
from datetime import UTC, datetime

from sqlalchemy import select, text

from dapp import platform
from dapp.issuance.service import holdings as indexed
from dapp.models.accounts import OrganizationType
from dapp.models.chain import ChainEvent, TokenTransfer
from dapp.models.issuance import Certificate, CertificateStatus
from indexer.handlers import certificate_events
from indexer.run import catch_up, follower_from_platform
from tests.factories.accounts import make_org
from tests.factories.devices import make_device
from tests.factories.reservations import make_reservation
from tests.indexer import onchain
from tests.support.plans import planned_indexes


def index() -> int:
    return catch_up(follower_from_platform())


def state(address: str, token: str) -> dict[str, object]:
    """Everything the indexer derived about `token` and `address`."""
    with platform.current().db.unit_of_work() as session:
        return {
            "holdings": {h.token_id: h.balance_wh for h in indexed.holdings(session, address)},
            "claims": [(c.token_id, c.claimed_wh) for c in indexed.claims(session, address)],
            "transfers": len(indexed.transfers(session, address)),
            "chain_state": indexed.chain_state(session, token),
        }


def test_a_reorganisation_undoes_balances_claims_and_chain_state_of_orphaned_blocks(app) -> None:
    alice, bob = onchain.new_wallet(), onchain.new_wallet()
    [kept] = onchain.issue(alice.address, 1_000)
    index()
    fork = onchain.snapshot()
    fork_block = onchain.head()

    [orphan] = onchain.issue(alice.address, 5_000)
    onchain.transfer(alice, bob.address, kept, 300)
    onchain.claim(alice, orphan, 1_000, b"orphaned claim")
    onchain.revoke(kept, "orphaned revocation")
    index()
    assert state(alice.address, kept)["chain_state"].is_revoked
    assert state(alice.address, orphan)["claims"] == [(orphan, 1_000)]

    onchain.revert(fork)  # the four transactions above are gone
    onchain.transfer(alice, bob.address, kept, 100)  # the new branch: another transfer, then empty blocks
    onchain.mine(10)
    index()

    assert state(alice.address, kept) == {
        "holdings": {kept: 900},
        "claims": [],
        "transfers": 2,  # the mint of `kept` and the new transfer
        "chain_state": indexed.ChainState(kept),
    }
    assert state(bob.address, kept)["holdings"] == {kept: 100}
    assert state(alice.address, orphan)["chain_state"] == indexed.ChainState(orphan)
    with platform.current().db.unit_of_work() as session:
        orphaned_events = session.scalars(select(ChainEvent).where(ChainEvent.args["id"].astext == orphan)).all()
        assert orphaned_events == []
        blocks = session.scalars(select(ChainEvent.block_number).where(ChainEvent.block_number > fork_block)).all()
        assert len(blocks) == 1  # the new transfer
    assert onchain.balance_of(alice.address, kept) == 900


def test_a_chain_that_became_shorter_is_rewound_too(app) -> None:
    alice = onchain.new_wallet()
    fork = onchain.snapshot()
    [orphan] = onchain.issue(alice.address, 1_000)
    onchain.mine(3)
    index()
    assert state(alice.address, orphan)["holdings"] == {orphan: 1_000}

    onchain.revert(fork)  # the head is now below the indexer's checkpoint
    index()

    assert state(alice.address, orphan)["holdings"] == {}
    with platform.current().db.unit_of_work() as session:
        assert session.scalars(select(TokenTransfer).where(TokenTransfer.token_id == orphan)).all() == []


def test_a_rewound_mint_makes_the_certificate_pending_again_until_minted_anew(app) -> None:
    certificate = pending_certificate()
    fork = onchain.snapshot()
    onchain.issue(certificate.owner_address, certificate.volume_wh, key=bytes.fromhex(certificate.certificate_key[2:]))
    index()
    assert certificate_status(certificate.id) == CertificateStatus.MINTED

    onchain.revert(fork)
    onchain.mine(2)
    index()
    assert certificate_status(certificate.id) == CertificateStatus.PENDING

    onchain.issue(certificate.owner_address, certificate.volume_wh, key=bytes.fromhex(certificate.certificate_key[2:]))
    index()
    assert certificate_status(certificate.id) == CertificateStatus.MINTED


def pending_certificate() -> Certificate:
    """A platform certificate row not yet minted, for a reservation of one device."""
    developer, buyer = make_org("Sunny Developers"), make_org("Green Buyer", OrganizationType.BUYER)
    device = make_device(developer)
    start, end = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    reservation = make_reservation(buyer, [device], start, end)
    key = uuid.uuid4().bytes * 2
    with platform.current().db.unit_of_work() as session:
        certificate = Certificate(
            reservation_id=reservation.id,
            beneficiary_organization_id=buyer.actor.organization_id,
            window_start=start,
            window_end=datetime(2026, 6, 2, tzinfo=UTC),
            country_code="KEN",
            volume_wh=1_234,
            generation_start=start,
            generation_end=datetime(2026, 6, 2, tzinfo=UTC),
            owner_address=onchain.new_wallet().address,
            certificate_key="0x" + key.hex(),
            token_id=str(int.from_bytes(key, "big")),
            contributions_root="0x" + "00" * 32,
            rule_versions=[],
            created_at=start,
        )
        session.add(certificate)
    return certificate


def certificate_status(certificate_id: uuid.UUID) -> str:
    with platform.current().db.unit_of_work() as session:
        return session.get_one(Certificate, certificate_id).status


def test_a_rewind_finds_the_remaining_events_of_its_tokens_through_their_index(app) -> None:
    """The tokens' events are found by `ix_chain_event_token_id` (planned with sequential scans discouraged, as
    with many events indexed): a rewind's cost follows the tokens it touched, not the events stored (issue 21)."""
    with platform.current().db.unit_of_work() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        indexes = planned_indexes(session, certificate_events({"1", "2"}))
    assert "ix_chain_event_token_id" in indexes
