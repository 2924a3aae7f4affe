"""Provisional issuance and its conversion into I-RECs in whole MWh, end to end with the registry simulator
process, anvil and the contracts (R-IREC-1, R-IREC-2)."""

from sqlalchemy import func, select

from dapp import platform
from dapp.ipfs import get_json
from dapp.irec import jobs
from dapp.irec.registry import HttpRegistry
from dapp.models.chain import OutboxEntry, OutboxKind
from dapp.models.irec import IrecAllocation, IrecCertificate, IrecIssueRequest, IrecPart
from scripts.devstack import free_port
from tests.factories.conversion import certify_and_mint, chain_job, irec_market, token_functions
from tests.support import irec


def requests_made() -> list[IrecIssueRequest]:
    with platform.current().db.unit_of_work() as session:
        rows = list(session.scalars(select(IrecIssueRequest).order_by(IrecIssueRequest.created_at)))
        session.expunge_all()
    return rows


def conversion_state(certificate_id) -> IrecCertificate:
    with platform.current().db.unit_of_work() as session:
        row = session.get_one(IrecCertificate, certificate_id)
        session.expunge_all()
    return row


def conservation() -> tuple[int, int, int]:
    """(Wh minted provisionally, Wh in approved or live requests, Wh carried) over every group."""
    with platform.current().db.unit_of_work() as session:
        minted = session.scalar(select(func.sum(IrecPart.energy_wh))) or 0
        requested = session.scalar(select(func.sum(IrecAllocation.energy_wh))) or 0
        volumes = session.scalar(select(func.sum(IrecIssueRequest.approved_mwh))) or 0
    assert requested == volumes * 1_000_000
    return minted, requested, minted - requested


def test_provisional_mint_then_whole_mwh_requests_carry_the_remainder_and_confirm_on_chain(app) -> None:
    market = irec_market(app, days=2)
    token = token_functions()
    [first] = certify_and_mint(until_day=1)
    provisional = token.provisionalAccount().call()
    assert token.balanceOf(provisional, first.token_id).call() == first.volume_wh
    assert token.provisionalBeneficiary(first.token_id).call().lower() == market.wallet.lower()

    assert irec.sync()["requests_approved"] == 1
    [request] = requests_made()
    assert (request.volume_mwh, request.approved_mwh, request.status) == (1, 1, "approved")
    assert conversion_state(first.id).status == "provisional"  # the rest of it is carried
    assert conservation() == (first.volume_wh, 1_000_000, first.volume_wh - 1_000_000)

    [second] = certify_and_mint(until_day=2)
    assert irec.sync()["requests_approved"] == 1
    later = requests_made()[1]
    minted = first.volume_wh + second.volume_wh
    assert later.volume_mwh == minted // 1_000_000 - 1  # the carried rest of the first and the second
    assert later.serial_first > request.serial_last
    assert conservation() == (minted, minted // 1_000_000 * 1_000_000, minted % 1_000_000)

    chain_job()
    for certificate in (first,):
        state = conversion_state(certificate.id)
        assert state.status == "issued"
        assert state.confirm_tx_hash is not None
        token_id = certificate.token_id
        assert token.provisionalBeneficiary(token_id).call() == "0x" + "0" * 40
        assert token.balanceOf(market.wallet, token_id).call() == certificate.volume_wh
        assert token.balanceOf(provisional, token_id).call() == 0
    first_state = conversion_state(first.id)
    assert first_state.serial_start == request.serial_start
    assert [r["energy_wh"] for r in first_state.serial_ranges] == [1_000_000, first.volume_wh - 1_000_000]
    document = get_json(platform.current().content, first_state.metadata_cid)
    assert document["version"] == "2"
    assert document["irec"]["serial_start"] == first_state.serial_start
    assert document["irec"]["serial_end"] == first_state.serial_end
    assert document["device_groups"][0]["registry_id"]
    assert verified_irec(app, first.token_id) == {
        "state": "issued",
        "beneficiary": market.wallet.lower(),
        "serial_start": first_state.serial_start,
        "serial_end": first_state.serial_end,
        "metadata_cid": first_state.metadata_cid,
        "tx_hash": first_state.confirm_tx_hash,
    }
    assert irec_document_check(app, first.token_id)["passed"]


def verified_irec(app, token_id: str) -> dict:
    """The I-REC state the public verification reads from the chain's events (issue 16), page and API alike."""
    report = app.test_client().get(f"/api/v1/verify/certificates/{token_id}").json
    page = app.test_client().get(f"/verify/certificates/{token_id}").get_data(as_text=True)
    state = report["chain"]["irec"]
    label = {"issued": "I-REC issued", "released": "Released as D-REC"}.get(state["state"], "I-REC pending")
    assert label in page
    return state


def irec_document_check(app, token_id: str) -> dict:
    """The verification's check of the I-REC document the chain names (its CID, token, previous version, serials)."""
    report = app.test_client().get(f"/api/v1/verify/certificates/{token_id}").json
    [check] = [c for c in report["checks"] if c["name"] == "I-REC document agrees with the chain"]
    return check


def test_the_registry_approving_fewer_mwh_returns_the_rest_to_the_remainder(app) -> None:
    irec_market(app, days=3)
    minted = sum(c.volume_wh for c in certify_and_mint(until_day=3))
    whole = minted // 1_000_000
    irec.behave(shortfall_mwh=1)
    irec.sync()
    [request] = requests_made()
    assert (request.volume_mwh, request.approved_mwh) == (whole, whole - 1)
    assert conservation() == (minted, (whole - 1) * 1_000_000, minted - (whole - 1) * 1_000_000)
    irec.reset()
    irec.sync()
    assert requests_made()[1].volume_mwh == 1
    assert conservation() == (minted, whole * 1_000_000, minted % 1_000_000)


def test_a_rejected_request_keeps_its_certificates_provisional_with_the_reason(app) -> None:
    market = irec_market(app, days=1)
    [certificate] = certify_and_mint(until_day=1)
    irec.behave(reject_with="Production exceeds the registered capacity")
    irec.sync()
    [request] = requests_made()
    assert (request.status, request.reason) == ("rejected", "Production exceeds the registered capacity")
    assert conversion_state(certificate.id).status == "rejected"
    notices = app.test_client().get("/api/v1/notifications", headers=market.buyer.auth).json["items"]
    assert "Production exceeds the registered capacity" in notices[0]["body"]
    token = token_functions()
    assert token.provisionalBeneficiary(certificate.token_id).call().lower() == market.wallet.lower()
    assert verified_irec(app, certificate.token_id) == {"state": "provisional", "beneficiary": market.wallet.lower()}


def test_a_slow_decision_leaves_one_request_waiting(app) -> None:
    irec_market(app, days=1)
    certify_and_mint(until_day=1)
    irec.behave(approval_delay_seconds=3600)
    irec.sync()
    irec.sync()
    assert [r.status for r in requests_made()] == ["requested"]


def test_a_registry_that_is_down_delays_requests_without_duplicating_them(app) -> None:
    irec_market(app, days=1)
    [certificate] = certify_and_mint(until_day=1)
    p = platform.current()
    down = HttpRegistry(f"http://127.0.0.1:{free_port()}", p.settings.irec_registry_token, timeout_seconds=1)
    jobs.convert(p, down)
    jobs.convert(p, down)
    [request] = requests_made()
    assert (request.status, request.registry_id) == ("queued", None)
    irec.sync()
    assert [r.status for r in requests_made()] == ["approved"]
    with p.db.unit_of_work() as session:
        kinds = session.scalars(select(OutboxEntry.kind).where(OutboxEntry.subject_id == str(certificate.id))).all()
        assert kinds == [OutboxKind.MINT_PROVISIONAL]  # its rest waits in the remainder: not confirmed yet
