"""Release of provisional certificates as D-REC (ADR 0110), with the simulator, anvil and the indexer as real
processes: after a rejection, for a final remainder, the refusals, and a chain worker killed between the admin's
decision and the on-chain write."""

from functools import partial

from sqlalchemy import func, select

from dapp import platform
from dapp.chain import contracts, sending
from dapp.irec import onchain
from dapp.irec.service.conversion import unallocated_parts
from dapp.models.audit import AuditEntry
from dapp.models.chain import OutboxEntry, OutboxKind, OutboxStatus
from dapp.models.irec import IrecAllocation, IrecCertificate, IrecIssueRequest, IrecPart
from dapp.models.irec import IssueRequestStatus as S
from tests.factories.accounts import make_platform_admin, signed_in
from tests.factories.conversion import certify_and_mint, chain_job, irec_market, token_functions
from tests.irec.test_conversion import irec_document_check, verified_irec
from tests.irec.test_redemption import CLAIM, REDEMPTION
from tests.support import irec
from tests.support.chain import new_run
from tests.support.workers import run_indexer

OPERATOR = "release-operator@platform.example"
ZERO = "0x" + "0" * 40


def state_of(certificate_id) -> IrecCertificate:  # type: ignore[no-untyped-def]
    with platform.current().db.unit_of_work() as session:
        row = session.get_one(IrecCertificate, certificate_id)
        session.expunge_all()
    return row


def conservation_per_group() -> dict:  # type: ignore[type-arg]
    """group → (Wh minted, Wh requested, Wh carried, Wh released), requested counting every request holding Wh."""
    with platform.current().db.unit_of_work() as session:
        allocated = (
            select(IrecAllocation.part_id, func.sum(IrecAllocation.energy_wh).label("wh"))
            .group_by(IrecAllocation.part_id)
            .subquery()
        )
        rows = session.execute(
            select(
                IrecPart.group_id,
                func.sum(IrecPart.energy_wh),
                func.coalesce(func.sum(allocated.c.wh), 0),
                func.sum(IrecPart.released_wh),
            )
            .outerjoin(allocated, allocated.c.part_id == IrecPart.id)
            .group_by(IrecPart.group_id)
        ).all()
        carried = {
            group_id: sum(left for _, left in unallocated_parts(session, group_id)) for group_id, *_ in rows
        }  # fmt: skip
    return {g: (int(m), int(r), carried[g], int(x)) for g, m, r, x in rows}


def assert_conserved() -> None:
    for minted, requested, carried, released in conservation_per_group().values():
        assert minted == requested + carried + released


def released_events(token_id: int) -> list:  # type: ignore[type-arg]
    contract = contracts.from_settings(platform.current().settings).contract("DrecCertificates")
    return list(contract.events.ProvisionalReleased.get_logs(from_block=0, argument_filters={"id": token_id}))


def operator(app):  # type: ignore[no-untyped-def]
    make_platform_admin(OPERATOR)
    return signed_in(app, OPERATOR)


def test_a_rejected_certificate_released_by_the_admin_is_a_drec_at_the_buyer_never_an_irec(app) -> None:
    market = irec_market(app, days=1)
    [certificate] = certify_and_mint(until_day=1)
    irec.behave(reject_with="Production exceeds the registered capacity")
    irec.sync()
    admin = operator(app)
    page = admin.client.get("/admin/irec/issue-requests").get_data(as_text=True)
    assert f'data-id="{certificate.id}" data-status="rejected"' in page
    assert "Release as D-REC" in page

    answer = admin.form(f"/admin/irec/certificates/{certificate.id}/release", {})
    assert answer.status_code == 302
    state = state_of(certificate.id)
    assert (state.status, state.released_wh) == ("released", certificate.volume_wh)
    with platform.current().db.unit_of_work() as session:
        [request] = session.scalars(select(IrecIssueRequest)).all()
        assert request.status == S.WITHDRAWN  # its Wh left it: a retry can never request them again
        assert session.scalar(select(func.count()).select_from(IrecAllocation)) == 0
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "irec.release_provisional")).one()
        assert audit.after["released_wh"] == certificate.volume_wh
    assert_conserved()
    irec.reset()
    assert irec.sync()["requests_approved"] == 0  # nothing of it is ever requested again

    chain_job()
    run_indexer()
    token = token_functions()
    assert token.balanceOf(market.wallet, certificate.token_id).call() == certificate.volume_wh
    assert token.provisionalBeneficiary(certificate.token_id).call() == ZERO
    [event] = released_events(certificate.token_id)
    assert (event.args.volumeWh, event.args.provisionalWh) == (certificate.volume_wh, 0)
    assert state_of(certificate.id).release_tx_hash == "0x" + event.transactionHash.hex().removeprefix("0x")
    assert verified_irec(app, certificate.token_id)["state"] == "released"
    conversion = (
        app.test_client()
        .get(f"/api/v1/irec/reservations/{market.reservation_id}/conversion", headers=market.buyer.auth)
        .json
    )
    assert conversion["certificates"][0]["status"] == "released"
    assert conversion["groups"][0]["released_wh"] == certificate.volume_wh

    client = app.test_client()
    listed = client.get("/api/v1/certificates?standard_state=drec_released", headers=market.buyer.auth).json
    assert [(c["id"], c["standard"]["state"]) for c in listed["items"]] == [(str(certificate.id), "drec_released")]
    redeem = client.post(
        f"/api/v1/irec/certificates/{certificate.id}/redemption", headers=market.buyer.auth, json=REDEMPTION
    )
    assert (redeem.status_code, redeem.json["code"]) == (409, "certificate_not_irec_issued")
    claim = client.post(f"/api/v1/certificates/{certificate.id}/claims", headers=market.buyer.auth, json=CLAIM)
    assert claim.status_code == 201, claim.json


def test_every_refusal_of_a_release_is_a_problem_document(app) -> None:
    irec_market(app, days=2)
    [first] = certify_and_mint(until_day=1)
    irec.sync()  # 1 MWh of it approved, the rest carried
    admin = operator(app)

    def release(certificate_id):  # type: ignore[no-untyped-def]
        return admin.api("POST", f"/api/v1/admin/irec/certificates/{certificate_id}/release")

    missing = release("00000000-0000-0000-0000-000000000000")
    assert (missing.status_code, missing.json["code"]) == (404, "irec_certificate_not_found")
    [second] = certify_and_mint(until_day=2)
    irec.behave(approval_delay_seconds=3600)
    irec.sync()  # the first's carried rest and the second requested, the decision pending
    for certificate in (first, second):
        waiting = release(certificate.id)
        assert (waiting.status_code, waiting.json["code"]) == (409, "certificate_energy_requested")
        assert "wait for the registry" in waiting.json["detail"]
        assert state_of(certificate.id).released_wh is None
    assert_conserved()


def test_a_final_remainder_is_released_as_drec_and_the_rest_confirmed_as_irec_after_it(app) -> None:
    market = irec_market(app, days=3)
    certificates = certify_and_mint(until_day=3)
    irec.sync()
    last = certificates[-1]
    straddling = state_of(last.id)
    assert straddling.status == "provisional"  # 1 MWh of it approved, 0.5 MWh carried: it waits for a whole MWh
    admin = operator(app)
    answer = admin.api("POST", f"/api/v1/admin/irec/certificates/{last.id}/release")
    assert answer.status_code == 202, answer.json
    assert answer.json["released_wh"] == 500_000  # four whole MWh of the 4.5 were requested and approved
    state = state_of(last.id)
    assert state.status == "issued"  # its approved MWh are an I-REC; the rest is a D-REC
    assert state.released_wh + sum(r["energy_wh"] for r in state.serial_ranges) == last.volume_wh
    assert_conserved()
    again = admin.api("POST", f"/api/v1/admin/irec/certificates/{last.id}/release")
    assert (again.status_code, again.json["code"]) == (409, "certificate_not_provisional")

    chain_job()
    run_indexer()
    token = token_functions()
    [event] = released_events(last.token_id)
    assert (event.args.volumeWh, event.args.provisionalWh) == (state.released_wh, last.volume_wh - state.released_wh)
    assert token.balanceOf(market.wallet, last.token_id).call() == last.volume_wh
    assert token.provisionalBeneficiary(last.token_id).call() == ZERO  # confirmed after the release
    verified = verified_irec(app, last.token_id)
    assert (verified["state"], verified["released_wh"]) == ("issued", state.released_wh)
    assert irec_document_check(app, last.token_id)["passed"]
    with platform.current().db.unit_of_work() as session:
        for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.kind == OutboxKind.RELEASE_PROVISIONAL)):
            entry.status, entry.attempts = OutboxStatus.PENDING, 0  # as if the database lost that it was done
    chain_job()
    assert len(released_events(last.token_id)) == 1
    with platform.current().db.unit_of_work() as session:
        confirmations = session.scalars(
            select(OutboxEntry).where(
                OutboxEntry.kind == OutboxKind.CONFIRM_IREC, OutboxEntry.subject_id == str(last.id)
            )
        ).all()
        assert [e.status for e in confirmations] == [OutboxStatus.DONE]


def test_a_chain_worker_killed_between_the_release_and_its_write_completes_it_once(app) -> None:
    market = irec_market(app, days=1)
    [certificate] = certify_and_mint(until_day=1)
    irec.behave(reject_with="Missing documents")
    irec.sync()
    admin = operator(app)
    assert admin.api("POST", f"/api/v1/admin/irec/certificates/{certificate.id}/release").status_code == 202
    run = new_run()
    handled, transaction_id = sending.prepare(
        run, partial(onchain._due, run, OutboxKind.RELEASE_PROVISIONAL), partial(onchain._release, run)
    )  # signed and recorded, then the worker dies before broadcasting
    assert (handled, transaction_id is not None) == (1, True)
    chain_job()  # the restarted worker settles the recorded transaction
    assert len(released_events(certificate.token_id)) == 1
    assert token_functions().balanceOf(market.wallet, certificate.token_id).call() == certificate.volume_wh
    with platform.current().db.unit_of_work() as session:
        for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.kind == OutboxKind.RELEASE_PROVISIONAL)):
            entry.status, entry.attempts = OutboxStatus.PENDING, 0  # as if the database lost that it was done
    chain_job()
    assert len(released_events(certificate.token_id)) == 1
    with platform.current().db.unit_of_work() as session:
        entries = session.scalars(select(OutboxEntry).where(OutboxEntry.kind == OutboxKind.RELEASE_PROVISIONAL))
        assert {e.status for e in entries} == {OutboxStatus.DONE}


def test_a_release_withdraws_the_rejected_request_and_its_other_certificates_are_requested_again(app) -> None:
    irec_market(app, days=2)
    first, second = certify_and_mint(until_day=2)
    irec.behave(reject_with="Missing documents")
    irec.sync()
    admin = operator(app)
    assert admin.api("POST", f"/api/v1/admin/irec/certificates/{first.id}/release").status_code == 202
    assert state_of(second.id).status == "provisional"  # its Wh back in the carried remainder
    retry = admin.api("POST", f"/api/v1/admin/irec/issue-requests/{_request_ids()[0]}/retry")
    assert (retry.status_code, retry.json["code"]) == (409, "issue_request_not_retryable")
    irec.reset()
    irec.sync()
    with platform.current().db.unit_of_work() as session:
        statuses = [r.status for r in session.scalars(select(IrecIssueRequest).order_by(IrecIssueRequest.created_at))]
        again = session.scalars(select(IrecAllocation).join(IrecPart)).all()
        assert {session.get_one(IrecPart, a.part_id).certificate_id for a in again} == {second.id}
    assert statuses == ["withdrawn", "approved"]
    assert_conserved()


def _request_ids() -> list:  # type: ignore[type-arg]
    with platform.current().db.unit_of_work() as session:
        return list(session.scalars(select(IrecIssueRequest.id).order_by(IrecIssueRequest.created_at)))
