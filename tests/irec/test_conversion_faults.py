"""Faults on the way to I-REC, with the simulator and the chain as real processes: a duplicate approval, serials
that overlap an earlier range, a chain worker killed between the registry's approval and the on-chain write."""

from functools import partial

from sqlalchemy import select

from dapp import platform
from dapp.chain import contracts, sending
from dapp.irec import onchain
from dapp.irec.service import conversion
from dapp.models.chain import OutboxEntry, OutboxKind, OutboxStatus
from dapp.models.irec import IrecIssueRequest
from tests.factories.conversion import certify_and_mint, chain_job, irec_market, token_functions
from tests.factories.irec import admin_actor
from tests.support import irec
from tests.support.chain import new_run


def confirm_entries() -> list[OutboxEntry]:
    with platform.current().db.unit_of_work() as session:
        rows = list(session.scalars(select(OutboxEntry).where(OutboxEntry.kind == OutboxKind.CONFIRM_IREC)))
        session.expunge_all()
    return rows


def irec_issued_events(token_id: int) -> list:
    contract = contracts.from_settings(platform.current().settings).contract("DrecCertificates")
    return list(contract.events.IrecIssued.get_logs(from_block=0, argument_filters={"id": token_id}))


def requests_made() -> list[IrecIssueRequest]:
    with platform.current().db.unit_of_work() as session:
        rows = list(session.scalars(select(IrecIssueRequest).order_by(IrecIssueRequest.created_at)))
        session.expunge_all()
    return rows


def test_a_duplicate_approval_completes_a_certificate_once(app) -> None:
    irec_market(app, days=3)
    certified = certify_and_mint(until_day=3)
    irec.sync()
    irec.sync()  # the registry's approval read again
    p = platform.current()
    with p.db.unit_of_work() as session:
        assert not conversion.complete(session, p.content, p.clock.now(), certified[0].id)
    assert len(confirm_entries()) == 2  # the two certificates whose Wh are all issued; the third carries its rest
    assert len({e.subject_id for e in confirm_entries()}) == 2


def test_serials_overlapping_an_earlier_range_are_refused_flagged_and_retried(app) -> None:
    irec_market(app, days=3)
    certify_and_mint(until_day=1)
    irec.sync()
    [earlier] = requests_made()
    certify_and_mint(until_day=3)
    irec.behave(next_serial=earlier.serial_last)  # the registry hands out a serial it gave before
    irec.sync()
    conflicting = requests_made()[1]
    assert conflicting.status == "serial_conflict"
    assert conflicting.serial_first is None
    assert earlier.serial_start in conflicting.reason
    irec.behave(next_serial=irec.behaviour()["next_serial"] + 1_000)
    p = platform.current()
    with p.db.unit_of_work() as session:
        conversion.retry(session, admin_actor(), p.clock.now(), conflicting.id)
    irec.sync()
    retried = requests_made()[1]
    assert (retried.status, retried.round) == ("approved", 2)
    assert retried.serial_first > earlier.serial_last


def test_a_chain_worker_killed_after_the_approval_writes_the_serials_once_on_restart(app) -> None:
    market = irec_market(app, days=2)
    [first, _] = certify_and_mint(until_day=2)
    irec.sync()
    run = new_run()
    handled, transaction_id = sending.prepare(
        run, partial(onchain._due, run, OutboxKind.CONFIRM_IREC), partial(onchain._confirmation, run)
    )  # signed and recorded, then the worker dies before broadcasting
    assert (handled, transaction_id is not None) == (1, True)
    chain_job()  # the restarted worker settles the recorded transaction, then sends the rest
    assert len(irec_issued_events(first.token_id)) == 1
    assert token_functions().balanceOf(market.wallet, first.token_id).call() == first.volume_wh
    with platform.current().db.unit_of_work() as session:
        for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.kind == OutboxKind.CONFIRM_IREC)):
            entry.status, entry.attempts = OutboxStatus.PENDING, 0  # as if the database lost that they were done
    chain_job()
    assert len(irec_issued_events(first.token_id)) == 1
    assert {e.status for e in confirm_entries()} == {OutboxStatus.DONE}
