"""Redemption as I-REC or a claim as D-REC, never both (R-IREC-3), with the simulator, anvil and the indexer."""

import threading
from datetime import date

from dapp import platform
from tests.factories.accounts import signed_in
from tests.factories.conversion import certify_and_mint, chain_job, irec_market, token_functions
from tests.support import irec
from tests.support.workers import run_indexer

REDEMPTION = {
    "beneficiary": "Green Buyer Kenya",
    "location": "Nairobi office",
    "country_code": "KEN",
    "consumption_start": "2026-06-01",
    "consumption_end": "2026-06-30",
}
CLAIM = {**REDEMPTION, "volume_wh": 1, "consumption_start": str(date(2026, 6, 1)), "purpose": "Scope 2"}


def issued_market(app, **names):  # type: ignore[no-untyped-def]
    """Two days certified and converted: the first certificate is an I-REC with serials, at the buyer."""
    market = irec_market(app, days=2, **names)
    certificates = certify_and_mint(until_day=2)
    irec.sync()
    chain_job()
    run_indexer()
    return market, certificates


def test_a_certificate_redeemed_as_irec_is_burned_with_the_registry_reference(app) -> None:
    market, [first, _] = issued_market(app)
    client = app.test_client()
    answer = client.post(f"/api/v1/irec/certificates/{first.id}/redemption", headers=market.buyer.auth, json=REDEMPTION)
    assert answer.status_code == 202, answer.json
    assert answer.json["status"] == "requested"
    assert irec.sync()["redeemed"] == 1
    chain_job()
    run_indexer()
    redemption = client.get(f"/api/v1/irec/redemptions/{answer.json['id']}", headers=market.buyer.auth).json
    assert redemption["status"] == "redeemed"
    [statement] = redemption["statements"]
    assert statement["reference"].startswith("RED-")
    assert statement["serial_start"]
    assert statement["account"] == platform.current().settings.irec_redemption_account
    token = token_functions()
    assert token.balanceOf(market.wallet, first.token_id).call() == 0
    assert token.claimedBalanceOf(market.wallet, first.token_id).call() == first.volume_wh
    claims = client.get(f"/api/v1/certificates/{first.id}/claims", headers=market.buyer.auth).json
    assert statement["reference"] in claims[0]["purpose"]


def test_a_redeemed_certificate_cannot_be_claimed_as_a_drec_nor_redeemed_twice(app) -> None:
    market, [first, _] = issued_market(app)
    client = app.test_client()
    path = f"/api/v1/irec/certificates/{first.id}/redemption"
    assert client.post(path, headers=market.buyer.auth, json=REDEMPTION).status_code == 202
    claim = client.post(f"/api/v1/certificates/{first.id}/claims", headers=market.buyer.auth, json=CLAIM)
    assert claim.status_code == 409
    assert claim.json["code"] == "certificate_redeemed_as_irec"
    again = client.post(path, headers=market.buyer.auth, json=REDEMPTION)
    assert again.status_code == 409
    assert again.json["code"] == "certificate_already_used"


def test_a_certificate_claimed_as_a_drec_cannot_be_redeemed_as_irec(app) -> None:
    market, [first, _] = issued_market(app)
    client = app.test_client()
    claim = client.post(f"/api/v1/certificates/{first.id}/claims", headers=market.buyer.auth, json=CLAIM)
    assert claim.status_code == 201, claim.json
    answer = client.post(f"/api/v1/irec/certificates/{first.id}/redemption", headers=market.buyer.auth, json=REDEMPTION)
    assert answer.status_code == 409
    assert answer.json["code"] == "certificate_already_used"


def test_a_provisional_certificate_cannot_be_redeemed(app) -> None:
    market = irec_market(app, days=1)
    [certificate] = certify_and_mint(until_day=1)
    run_indexer()
    answer = app.test_client().post(
        f"/api/v1/irec/certificates/{certificate.id}/redemption", headers=market.buyer.auth, json=REDEMPTION
    )
    assert answer.status_code == 409
    assert answer.json["code"] == "certificate_not_irec_issued"


def test_two_redemptions_at_once_one_wins(app) -> None:
    market, [first, _] = issued_market(app)
    path = f"/api/v1/irec/certificates/{first.id}/redemption"
    statuses: list[int] = []

    def redeem() -> None:
        statuses.append(app.test_client().post(path, headers=market.buyer.auth, json=REDEMPTION).status_code)

    threads = [threading.Thread(target=redeem) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [202, 409]


def test_a_provisional_certificate_is_refused_as_held_provisionally_for_claims_and_transfers(app) -> None:
    market = irec_market(app, days=1)
    [certificate] = certify_and_mint(until_day=1)
    run_indexer()
    client = app.test_client()
    claim = client.post(f"/api/v1/certificates/{certificate.id}/claims", headers=market.buyer.auth, json=CLAIM)
    transfer = client.post(
        f"/api/v1/certificates/{certificate.id}/transfers",
        headers=market.buyer.auth,
        json={"volume_wh": 1, "to_address": "0x000000000000000000000000000000000000dEaD"},
    )
    for answer in (claim, transfer):
        assert answer.status_code == 409, answer.json
        assert answer.json["code"] == "certificate_held_provisionally"
        assert "pending its I-REC issuance" in answer.json["detail"]
        assert "holds none" not in answer.json["detail"]
    buyer = signed_in(app, market.buyer.email)
    page = buyer.form(f"/certificates/{certificate.id}/claims", {k: str(v) for k, v in CLAIM.items()})
    assert page.status_code == 409
    assert "held provisionally" in page.get_data(as_text=True)
