"""Certificate lists, explanation and the developer's certified reads (R-ISS-7, R-ISS-11, R-READ-12)."""

from datetime import UTC, datetime, timedelta

import pytest

from dapp import platform
from dapp.issuance.service import windows as service
from dapp.models.accounts import OrganizationType
from dapp.models.reservations import SplitRule
from tests.factories.accounts import make_org
from tests.factories.devices import MIDNIGHT_SUN, make_device
from tests.factories.reservations import made_under, make_reservation

T0 = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def issued(app):
    """Two developers' devices in one reservation; two daily certificates."""
    clock = platform.current().clock
    clock.set(T0)
    first, second = make_org("First Dev"), make_org("Second Dev")
    devices = [
        make_device(first, "A1", off_taker="School", **MIDNIGHT_SUN),
        make_device(second, "B1", off_taker="Residential", **MIDNIGHT_SUN),
    ]
    buyer = make_org("Buyer", OrganizationType.BUYER)
    clock.set(T0 + timedelta(days=3))
    for org, external_id in ((first, "A1"), (second, "B1")):
        reads = [(1, 0), (20, 2_000), (30, 1_000)]
        response = app.test_client().post(
            f"/api/v1/devices/{external_id}/reads",
            headers=org.auth,
            json={
                "type": "delta",
                "unit": "Wh",
                "reads": [{"end": (T0 + timedelta(hours=h)).isoformat(), "value": v} for h, v in reads],
            },
        )
        assert response.json["rejected"] == 0
    # split by time, whose parts are easy to read off (the solar split: tests/issuance/test_solar_split.py)
    made_under(make_reservation(buyer, devices, T0, T0 + timedelta(days=10)), SplitRule.TIME)
    with platform.current().db.unit_of_work() as session:
        service.run_until(session, T0 + timedelta(days=2), T0 + timedelta(days=3))
    return {"first": first, "second": second, "buyer": buyer}


def get(app, org, path):
    return app.test_client().get(path, headers=org.auth)


def test_buyer_lists_certificates_with_every_contribution(app, issued) -> None:
    page = get(app, issued["buyer"], "/api/v1/certificates").json
    assert page["total"] == 2
    first_day = page["items"][1]
    assert [(c["external_id"], c["energy_wh"]) for c in first_day["contributions"]] == [("A1", 2_400), ("B1", 2_400)]
    assert first_day["volume_wh"] == 4_800


def test_filters_by_off_taker_and_date(app, issued) -> None:
    by_date = get(app, issued["buyer"], "/api/v1/certificates?date_from=2026-06-02&date_to=2026-06-02").json
    assert [i["window_start"][:10] for i in by_date["items"]] == ["2026-06-02"]
    assert get(app, issued["buyer"], "/api/v1/certificates?off_taker=Industrial").json["total"] == 0
    assert get(app, issued["buyer"], "/api/v1/certificates?off_taker=School").json["total"] == 2


def test_bad_filters_are_refused_with_the_parameter_named(app, issued) -> None:
    response = get(app, issued["buyer"], "/api/v1/certificates?date_from=yesterday")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "date_from"


def test_developers_see_only_their_own_devices_contribution(app, issued) -> None:
    page = get(app, issued["first"], "/api/v1/certified-reads").json
    assert page["total"] == 2
    for item in page["items"]:
        assert {c["external_id"] for c in item["contributions"]} == {"A1"}
        assert item["volume_wh"] == sum(c["energy_wh"] for c in item["contributions"])


def test_explanation_shows_each_read_and_its_split(app, issued) -> None:
    [_, day_one] = get(app, issued["buyer"], "/api/v1/certificates").json["items"]
    device_id = day_one["contributions"][0]["device_id"]
    explanation = get(
        app, issued["buyer"], f"/api/v1/certificates/{day_one['id']}/explanation?device_id={device_id}"
    ).json
    device = next(d for d in explanation["devices"] if d["device_id"] == device_id)
    # [01:00, 20:00) 2000 Wh lies inside day one; [20:00, 06:00 next day) 1000 Wh gives 4 of its 10 hours
    assert [(p["read_wh"], p["energy_wh"]) for p in device["parts"]] == [(2_000, 2_000), (1_000, 400)]
    assert device["certified_wh"] == 2_400
    assert explanation["certificate"]["id"] == day_one["id"]


def test_another_organizations_certificate_is_not_found(app, issued) -> None:
    other_buyer = make_org("Other Buyer", OrganizationType.BUYER)
    [certificate, _] = get(app, issued["buyer"], "/api/v1/certificates").json["items"]
    for path in (f"/api/v1/certificates/{certificate['id']}", f"/api/v1/certificates/{certificate['id']}/explanation"):
        response = get(app, other_buyer, path)
        assert (response.status_code, response.json["code"]) == (404, "certificate_not_found")
    assert get(app, other_buyer, "/api/v1/certificates").json["total"] == 0


def test_csv_export_lists_each_contribution(app, issued, settings) -> None:
    from tests.support.journeys import sign_in

    client = app.test_client()
    sign_in(client, issued["buyer"].email)
    csv_text = client.get("/certificates/export.csv").get_data(as_text=True).splitlines()
    assert csv_text[0].startswith("certificate_id,token_id,country")
    assert len(csv_text) == 1 + 4


def test_an_explanation_for_a_malformed_device_id_is_refused_not_a_server_error(app, issued) -> None:
    [certificate, _] = get(app, issued["buyer"], "/api/v1/certificates").json["items"]
    response = get(app, issued["buyer"], f"/api/v1/certificates/{certificate['id']}/explanation?device_id=nope")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "device_id"
