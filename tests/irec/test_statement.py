"""The I-REC redemption statement, the I-REC state on the buyer's certificates, and the serial that straddles two
certificates (ADR 0113), with the simulator, anvil and the indexer."""

import re

from dapp.models.accounts import OrganizationType
from tests.factories.accounts import make_org, make_platform_admin, signed_in
from tests.factories.conversion import certify_and_mint, chain_job, irec_market
from tests.irec.test_redemption import CLAIM, REDEMPTION, issued_market
from tests.support import irec
from tests.support.workers import run_indexer


def redeem(app, market, certificate) -> dict:  # type: ignore[no-untyped-def]
    """Redeem `certificate` as I-REC and run the registry job, the chain worker and the indexer; its statement."""
    client = app.test_client()
    answer = client.post(
        f"/api/v1/irec/certificates/{certificate.id}/redemption", headers=market.buyer.auth, json=REDEMPTION
    )
    assert answer.status_code == 202, answer.json
    irec.sync()
    chain_job()
    run_indexer()
    found = client.get(f"/api/v1/irec/redemptions/{answer.json['id']}", headers=market.buyer.auth)
    assert found.status_code == 200, found.json
    return dict(found.json)


def states(app, market, **query) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    answer = app.test_client().get("/api/v1/certificates", headers=market.buyer.auth, query_string=query)
    assert answer.status_code == 200, answer.json
    return {item["id"]: item["standard"] for item in answer.json["items"]}


def test_the_redemption_statement_names_serials_references_group_devices_and_the_burn(app) -> None:
    market, [first, second] = issued_market(app)
    assert set(states(app, market, standard_state="irec_issued")) == {str(first.id), str(second.id)}
    redemption = redeem(app, market, first)
    assert redemption["status"] == "redeemed"
    facts = redemption["statement"]["facts"]
    [reference] = facts["registry_references"]
    assert reference == redemption["statements"][0]["reference"]
    assert facts["beneficiary"] == REDEMPTION["beneficiary"]
    assert facts["consumption_period"] == [REDEMPTION["consumption_start"], REDEMPTION["consumption_end"]]
    assert facts["token_id"] == str(first.token_id)
    assert facts["burn_tx_hash"]
    assert facts["recorded_on_chain_at"]
    assert facts["devices"][0]["name"] == "SUN-1"
    assert "registry id" in facts["device_groups"]
    assert facts["verify_url"].endswith(f"/verify/certificates/{first.token_id}")
    assert redemption["statement"]["signature"].startswith("0x")
    assert list(states(app, market, standard_state="irec_redeemed")) == [str(first.id)]
    assert states(app, market)[str(first.id)]["redemption_id"] == redemption["id"]
    buyer = signed_in(app, market.buyer.email)
    page = buyer.client.get(f"/irec/redemptions/{redemption['id']}").get_data(as_text=True)
    assert "I-REC redemption statement" in page
    assert reference in page
    listing = buyer.client.get("/certificates").get_data(as_text=True)
    assert f"/irec/redemptions/{redemption['id']}" in listing
    notices = buyer.client.get("/notifications").get_data(as_text=True)
    assert f'href="/irec/redemptions/{redemption["id"]}"' in notices


def test_only_the_owning_buyer_and_platform_admins_read_a_redemption(app) -> None:
    market, [first, _] = issued_market(app)
    redemption = redeem(app, market, first)
    other = make_org("Other Buyer", OrganizationType.BUYER)
    client = app.test_client()
    path = f"/api/v1/irec/redemptions/{redemption['id']}"
    refused = client.get(path, headers=other.auth)
    assert refused.status_code == 404
    assert refused.json["code"] == "redemption_not_found"
    assert signed_in(app, other.email).client.get(f"/irec/redemptions/{redemption['id']}").status_code == 404
    make_platform_admin("operator@platform.example")
    operator = signed_in(app, "operator@platform.example")
    assert operator.client.get(f"/api/v1/admin/irec/redemptions/{redemption['id']}").json["status"] == "redeemed"
    queue = operator.client.get("/admin/irec/issue-requests").get_data(as_text=True)
    assert f'href="/admin/irec/redemptions/{redemption["id"]}"' in queue
    page = operator.client.get(f"/admin/irec/redemptions/{redemption['id']}")
    assert page.status_code == 200
    assert "I-REC redemption statement" in page.get_data(as_text=True)


def test_a_straddling_serial_is_redeemed_once_and_names_both_certificates(app) -> None:
    """Two certificates of about 1.5 MWh make a 3 MWh request: a serial in the middle carries energy of both."""
    market, [first, second] = issued_market(app)
    one = redeem(app, market, first)
    [shared_line] = [line for line in one["statement"]["facts"]["serials"] if str(second.token_id) in line]
    carried = re.findall(r"(\d+) Wh of certificate (\d+)", shared_line)
    assert {token for _, token in carried} == {str(first.token_id), str(second.token_id)}
    assert sum(int(wh) for wh, _ in carried) == 1_000_000
    assert sum(s["volume_mwh"] for s in one["statements"]) == 2
    claim = app.test_client().post(f"/api/v1/certificates/{second.id}/claims", headers=market.buyer.auth, json=CLAIM)
    assert claim.status_code == 409
    assert claim.json["code"] == "certificate_energy_redeemed_as_irec"
    assert one["statements"][0]["reference"] in claim.json["detail"]
    two = redeem(app, market, second)
    assert two["status"] == "redeemed"
    assert sum(s["volume_mwh"] for s in two["statements"]) == 1  # the shared serial is not redeemed again
    assert set(two["statement"]["facts"]["registry_references"]) == {
        one["statements"][0]["reference"],
        two["statements"][0]["reference"],
    }


def test_a_serial_whose_energy_is_claimed_as_a_drec_is_never_redeemed(app) -> None:
    market, [first, second] = issued_market(app)
    claim = app.test_client().post(f"/api/v1/certificates/{second.id}/claims", headers=market.buyer.auth, json=CLAIM)
    assert claim.status_code == 201, claim.json
    one = redeem(app, market, first)
    assert sum(s["volume_mwh"] for s in one["statements"]) == 1
    assert any("claimed as a D-REC" in line for line in one["statement"]["facts"]["serials"])


def test_provisional_certificates_show_their_state_and_offer_no_drec_actions(app) -> None:
    market = irec_market(app, days=1)
    [certificate] = certify_and_mint(until_day=1)
    run_indexer()
    assert states(app, market)[str(certificate.id)]["state"] == "irec_pending"
    assert list(states(app, market, standard_state="irec_pending")) == [str(certificate.id)]
    assert states(app, market, standard_state="drec") == {}
    page = signed_in(app, market.buyer.email).client.get("/certificates").get_data(as_text=True)
    assert 'data-state="irec_pending"' in page
    assert "I-REC pending (provisional)" in page
    assert f"/certificates/{certificate.id}/claims" not in page
    assert f"/irec/certificates/{certificate.id}/redemption" not in page


def test_the_certificates_filter_form_leaves_empty_fields_out(app) -> None:
    market = irec_market(app, days=1)
    certify_and_mint(until_day=1)
    buyer = signed_in(app, market.buyer.email)
    query = "country=&off_taker=&date_from=&date_to=&standard_state=irec_pending"
    page = buyer.client.get(f"/certificates?{query}")
    assert page.status_code == 200
    assert 'data-state="irec_pending"' in page.get_data(as_text=True)
