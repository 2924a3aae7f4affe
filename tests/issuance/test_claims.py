"""Claims (R-ISS-9): recorded on chain from the holder's account, limited to what is left, with a signed statement."""

from datetime import datetime

from eth_account import Account
from eth_account.messages import encode_defunct
from sqlalchemy import func, select

from dapp import platform
from dapp.chain import contracts
from dapp.ipfs import canonical_json
from dapp.models.issuance import Claim
from tests.support.workers import run_indexer, run_jobs, scheduler_tick, settle
from tests.test_slice import build_slice, certificates

CLAIM = {
    "beneficiary": "Nairobi Girls School",
    "location": "Nairobi",
    "country_code": "KEN",
    "consumption_start": "2026-06-01",
    "consumption_end": "2026-06-30",
    "purpose": "Scope 2 reporting 2026",
}


def chain_contract():
    return contracts.from_settings(platform.current().settings).contract("DrecCertificates")


def test_a_claim_burns_the_volume_on_chain_and_yields_a_signed_statement(app, settings) -> None:
    journey = build_slice(app, settings)
    buyer = journey["buyer"]
    [certificate] = certificates(buyer)
    response = buyer.api("POST", f"/api/v1/certificates/{certificate['id']}/claims", {**CLAIM, "volume_wh": 5_000})
    assert response.status_code == 201, response.json
    assert response.json["status"] == "pending"
    settle()
    [claim] = buyer.api("GET", f"/api/v1/certificates/{certificate['id']}/claims").json
    assert claim["status"] == "claimed"
    assert claim["tx_hash"].startswith("0x")
    holder, token = journey["reservation"]["wallet_address"], int(certificate["token_id"])
    assert chain_contract().functions.claimedBalanceOf(holder, token).call() == 5_000
    assert chain_contract().functions.balanceOf(holder, token).call() == certificate["volume_wh"] - 5_000

    statement = buyer.api("GET", f"/api/v1/claims/{claim['id']}/statement").json
    signer = Account.recover_message(
        encode_defunct(primitive=canonical_json(statement["facts"])), signature=statement["signature"]
    )
    assert signer == statement["signer"] == Account.from_key(settings.platform_private_key).address
    assert statement["facts"]["verify_url"].endswith(f"/verify/certificates/{certificate['token_id']}")
    pdf = buyer.client.get(f"/claims/{claim['id']}/statement.pdf")
    assert pdf.content_type == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    verification = app.test_client().get(f"/api/v1/verify/certificates/{certificate['token_id']}").json
    assert verification["chain"]["claimed_wh"] == 5_000


def test_cannot_claim_more_than_is_left(app, settings) -> None:
    buyer = build_slice(app, settings)["buyer"]
    [certificate] = certificates(buyer)
    path = f"/api/v1/certificates/{certificate['id']}/claims"
    assert buyer.api("POST", path, {**CLAIM, "volume_wh": certificate["volume_wh"] - 10}).status_code == 201
    response = buyer.api("POST", path, {**CLAIM, "volume_wh": 11})
    assert response.status_code == 422
    assert response.json["errors"][0]["code"] == "claim_exceeds_balance"
    with platform.current().db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == 1


def test_a_statement_waits_for_the_chain(app, settings) -> None:
    buyer = build_slice(app, settings)["buyer"]
    [certificate] = certificates(buyer)
    claim = buyer.api("POST", f"/api/v1/certificates/{certificate['id']}/claims", {**CLAIM, "volume_wh": 1}).json
    response = buyer.api("GET", f"/api/v1/claims/{claim['id']}/statement")
    assert (response.status_code, response.json["code"]) == (409, "claim_not_recorded")


def test_claims_are_validated(app, settings) -> None:
    buyer = build_slice(app, settings)["buyer"]
    [certificate] = certificates(buyer)
    path = f"/api/v1/certificates/{certificate['id']}/claims"
    bad_country = buyer.api("POST", path, {**CLAIM, "volume_wh": 1, "country_code": "XXX"})
    reversed_period = buyer.api("POST", path, {**CLAIM, "volume_wh": 1, "consumption_end": "2026-05-01"})
    zero = buyer.api("POST", path, {**CLAIM, "volume_wh": 0})
    assert [r.status_code for r in (bad_country, reversed_period, zero)] == [422, 422, 422]
    assert bad_country.json["errors"][0]["field"] == "country_code"
    assert reversed_period.json["errors"][0]["field"] == "consumption_end"


def test_another_organizations_certificate_cannot_be_claimed(app, settings) -> None:
    journey = build_slice(app, settings)
    [certificate] = certificates(journey["buyer"])
    developer = journey["developer"]
    response = developer.api("POST", f"/api/v1/certificates/{certificate['id']}/claims", {**CLAIM, "volume_wh": 1})
    assert (response.status_code, response.json["code"]) == (404, "certificate_not_found")


def test_a_claim_shows_as_claimed_only_once_the_indexer_recorded_it(app, settings) -> None:
    buyer = build_slice(app, settings)["buyer"]
    [certificate] = certificates(buyer)
    path = f"/api/v1/certificates/{certificate['id']}/claims"
    claim = buyer.api("POST", path, {**CLAIM, "volume_wh": 700}).json
    scheduler_tick()
    run_jobs()  # mined, but not indexed yet

    [sent] = buyer.api("GET", path).json
    assert (sent["status"], sent["claimed_at"]) == ("sent", None)
    assert sent["tx_hash"].startswith("0x")
    statement = buyer.api("GET", f"/api/v1/claims/{claim['id']}/statement")
    assert (statement.status_code, statement.json["code"]) == (409, "claim_not_recorded")

    run_indexer()
    [claimed] = buyer.api("GET", path).json
    assert claimed["status"] == "claimed"
    assert claimed["claimed_at"] is not None  # the block time of the indexed ClaimSingle event
    facts = buyer.api("GET", f"/api/v1/claims/{claim['id']}/statement").json["facts"]
    assert datetime.fromisoformat(facts["recorded_on_chain_at"]) == datetime.fromisoformat(claimed["claimed_at"])
    # claimed on the platform's clock, the clock of the generation period: never before the energy it retires
    assert datetime.fromisoformat(facts["claimed_at"]) == datetime.fromisoformat(claim["created_at"])
    assert facts["claimed_at"] >= facts["generation_period"][1]
    assert (facts["standard"], facts["issuer"].startswith("D-REC registry")) == ("D-REC", True)
    [device] = facts["devices"]
    assert set(device) == {"name", "location", "country", "technology", "capacity_kw", "commissioning_date"}
    assert device["technology"].startswith("Solar")
    page = buyer.client.get(f"/claims/{claim['id']}/statement").text
    assert "Generating devices" in page
    assert device["name"] in page
    assert '<span class="badge">claimed</span>' in buyer.client.get(f"/certificates/{certificate['id']}/claims").text
