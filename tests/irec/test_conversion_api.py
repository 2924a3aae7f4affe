"""What buyers and admins see of a conversion: status and serials per certificate, carried remainder per group,
the registry's decisions and the admin's retry (API and pages)."""

from datetime import timedelta

from dapp import platform
from dapp.models.accounts import OrganizationType
from tests.factories.accounts import make_org, make_platform_admin, signed_in
from tests.factories.conversion import T0, certify_and_mint, irec_market
from tests.support import irec

OPERATOR = "operator@platform.example"


def test_a_buyer_sees_status_serials_and_the_carried_remainder(app) -> None:
    market = irec_market(app, days=2)
    [first] = certify_and_mint(until_day=1)
    irec.sync()
    client = app.test_client()
    answer = client.get(f"/api/v1/irec/reservations/{market.reservation_id}/conversion", headers=market.buyer.auth)
    assert answer.status_code == 200, answer.json
    [group] = answer.json["groups"]
    assert (group["minted_wh"], group["approved_wh"]) == (first.volume_wh, 1_000_000)
    assert group["carried_wh"] == first.volume_wh - 1_000_000
    [certificate] = answer.json["certificates"]
    assert (certificate["status"], certificate["serial_start"]) == ("provisional", None)
    assert answer.json["final_remainder"] is None
    certify_and_mint(until_day=2)
    irec.sync()
    later = client.get(f"/api/v1/irec/reservations/{market.reservation_id}/conversion", headers=market.buyer.auth)
    statuses = [c["status"] for c in later.json["certificates"]]
    assert statuses[0] == "issued"
    assert later.json["certificates"][0]["serial_start"]
    page = signed_in(app, market.buyer.email).client.get(f"/irec/reservations/{market.reservation_id}/conversion")
    assert f'data-id="{first.id}" data-status="issued"' in page.get_data(as_text=True)


def test_after_the_reservation_ends_the_final_remainder_is_explained(app) -> None:
    market = irec_market(app, days=1)
    certify_and_mint(until_day=1)
    irec.sync()
    platform.current().clock.set(T0 + timedelta(days=10))
    answer = app.test_client().get(
        f"/api/v1/irec/reservations/{market.reservation_id}/conversion", headers=market.buyer.auth
    )
    assert "carried" in answer.json["final_remainder"]
    assert "release them as D-RECs" in answer.json["final_remainder"]


def test_another_buyer_cannot_see_the_conversion(app) -> None:
    market = irec_market(app, days=1)
    other = make_org("Other Buyer", OrganizationType.BUYER)
    answer = app.test_client().get(f"/api/v1/irec/reservations/{market.reservation_id}/conversion", headers=other.auth)
    assert answer.status_code == 404
    assert answer.json["code"] == "reservation_not_found"


def test_an_admin_sees_a_rejection_and_retries_it(app) -> None:
    market = irec_market(app, days=1)
    certify_and_mint(until_day=1)
    irec.behave(reject_with="Meter calibration certificate expired")
    irec.sync()
    irec.reset()
    make_platform_admin(OPERATOR)
    operator = signed_in(app, OPERATOR)
    [request] = operator.api("GET", "/api/v1/admin/irec/issue-requests").json["items"]
    assert (request["status"], request["reason"]) == ("rejected", "Meter calibration certificate expired")
    page = operator.client.get("/admin/irec/issue-requests").get_data(as_text=True)
    assert "Meter calibration certificate expired" in page
    retried = operator.api("POST", f"/api/v1/admin/irec/issue-requests/{request['id']}/retry")
    assert retried.status_code == 200, retried.json
    assert (retried.json["status"], retried.json["round"]) == ("queued", 2)
    irec.sync()
    again = operator.api("POST", f"/api/v1/admin/irec/issue-requests/{request['id']}/retry")
    assert again.status_code == 409
    assert again.json["code"] == "issue_request_not_retryable"
    conversion = app.test_client().get(
        f"/api/v1/irec/reservations/{market.reservation_id}/conversion", headers=market.buyer.auth
    )
    assert conversion.json["groups"][0]["approved_wh"] == 1_000_000
