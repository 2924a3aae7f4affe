"""The device catalogue (R-RES-2): reservable devices only, every filter, groups across organizations, and the
expected energy of a selection next to a target."""

from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from dapp import platform
from dapp.models.accounts import OrganizationType
from dapp.models.reads import CountryYield
from dapp.reservations.service.availability import COOLDOWN
from tests.factories.accounts import make_org
from tests.factories.devices import make_device
from tests.reservations.conftest import NOW
from tests.reservations.support import call, reserve
from tests.support.workers import run_jobs, scheduler_tick


def listed(app, buyer, query: str = "") -> list[str]:
    response = call(app, buyer, "GET", f"/api/v1/device-catalogue{query}")
    assert response.status_code == 200, response.json
    return [d["external_id"] for d in response.json]


def test_lists_every_developers_devices_with_attributes_but_no_meter_data(app, market) -> None:
    response = call(app, market.buyer, "GET", "/api/v1/device-catalogue")
    by_id = {d["external_id"]: d for d in response.json}
    assert sorted(by_id) == ["LAKE-1", "SUN-1", "SUN-2"]
    assert by_id["LAKE-1"]["organization_name"] == "Lake Power"
    assert by_id["SUN-2"]["sdg_benefits"] == ["SDG4", "SDG7"]
    assert by_id["SUN-1"]["expected_annual_wh"] == 5 * 2000 * 1000  # capacity × default yield
    assert by_id["LAKE-1"]["expected_annual_wh"] == 20 * 1500 * 1000  # the device's own yield
    assert not {"reads", "energy_wh", "latitude", "longitude"} & set(by_id["SUN-1"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?country=UGA", ["LAKE-1"]),
        ("?country=KEN,UGA", ["LAKE-1", "SUN-1", "SUN-2"]),
        ("?fuel=ES100", ["LAKE-1", "SUN-1", "SUN-2"]),
        ("?device_type=TC110", []),
        ("?off_taker=School", ["LAKE-1", "SUN-1"]),
        ("?capacity_min=10&capacity_max=20", ["LAKE-1"]),
        ("?sdg=SDG4&sdg=SDG13", ["LAKE-1", "SUN-2"]),
        ("?commissioned_from=2026-01-15&commissioned_to=2026-01-15", ["LAKE-1", "SUN-1", "SUN-2"]),
        ("?commissioned_to=2025-12-31", []),
        ("?country=KEN&off_taker=School", ["SUN-1"]),
    ],
)
def test_filters(app, market, query, expected) -> None:
    assert sorted(listed(app, market.buyer, query)) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?off_taker=Schools", "off_taker"),
        ("?sdg=SDG18", "sdg"),
        ("?country=XXX", "country"),
        ("?capacity_min=20&capacity_max=10", "query"),
        ("?group_by=colour", "group_by.0"),
    ],
)
def test_bad_filters_are_refused_with_the_field(app, market, query, field) -> None:
    response = call(app, market.buyer, "GET", f"/api/v1/device-catalogue{query}")
    assert (response.status_code, response.json["code"]) == (422, "invalid_filter")
    assert field in [e["field"] for e in response.json["errors"]]


def test_a_parameter_the_catalogue_does_not_take_is_refused_with_its_name(app, market) -> None:
    response = call(app, market.buyer, "GET", "/api/v1/device-catalogue?colour=red")
    assert (response.status_code, response.json["code"]) == (422, "unknown_parameter")
    assert [e["field"] for e in response.json["errors"]] == ["colour"]


def test_reserved_devices_leave_the_catalogue_and_return_twelve_hours_after_release(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices[:1], end=NOW + timedelta(days=1)).json
    assert "SUN-1" not in listed(app, market.buyer)
    clock = platform.current().clock
    clock.set(NOW + timedelta(days=1, minutes=1))
    scheduler_tick()
    run_jobs()  # automatic release
    assert "SUN-1" not in listed(app, market.buyer)  # cool-down
    retry = reserve(app, market.buyer, market.devices[:1], start=NOW + timedelta(days=1, hours=1), name="Again")
    assert (retry.status_code, retry.json["code"]) == (409, "cooldown_active")
    assert datetime.fromisoformat(retry.json["cooldown_ends_at"]) == NOW + timedelta(days=1) + COOLDOWN
    clock.set(NOW + timedelta(days=1) + COOLDOWN + timedelta(seconds=1))
    assert "SUN-1" in listed(app, market.buyer)
    assert call(app, market.buyer, "GET", f"/api/v1/reservations/{reservation['id']}").json["status"] == "ended"


def test_groups_span_organizations_and_show_expected_energy_against_the_target(app, market) -> None:
    second = make_org("Second Kenyan Developer")
    make_device(second, "K2-1", capacity_kw="10", off_taker="School")
    query = urlencode(
        {
            "group_by": "country,off_taker",
            "start": NOW.isoformat(),
            "end": (NOW + timedelta(days=365)).isoformat(),
            "target_volume_mwh": "30",
        }
    )
    response = call(app, market.buyer, "GET", f"/api/v1/device-catalogue/groups?{query}")
    assert response.status_code == 200, response.json
    groups = {(g["key"]["country"], g["key"]["off_taker"]): g for g in response.json["groups"]}
    kenyan_schools = groups[("KEN", "School")]
    assert (kenyan_schools["device_count"], kenyan_schools["organization_count"]) == (2, 2)
    assert kenyan_schools["expected_annual_wh"] == (5 + 10) * 2000 * 1000
    assert kenyan_schools["expected_period_wh"] == 30_000_000
    assert kenyan_schools["reachable"] is True
    assert groups[("KEN", "Residential")]["reachable"] is True  # 50 kW: 100 MWh a year
    assert groups[("UGA", "School")]["reachable"] is True
    assert kenyan_schools["label"] == "Kenya · School"
    assert response.json["total"]["device_count"] == 4


def test_groups_by_capacity_range(app, market) -> None:
    response = call(app, market.buyer, "GET", "/api/v1/device-catalogue/groups?group_by=capacity")
    assert {g["key"]["capacity"]: g["device_count"] for g in response.json["groups"]} == {
        "1–10 kW": 1,
        "10–100 kW": 2,
    }


def test_estimates_a_selection_against_the_target_in_the_period(app, market) -> None:
    body = {
        "device_ids": [str(market.devices[0].id), str(market.other_devices[0].id)],
        "start": NOW.isoformat(),
        "end": (NOW + timedelta(days=73)).isoformat(),  # a fifth of a year
        "target_volume_mwh": "10",
    }
    estimate = call(app, market.buyer, "POST", "/api/v1/device-catalogue/estimate", body).json
    assert estimate["expected_annual_wh"] == 10_000_000 + 30_000_000
    assert estimate["expected_period_wh"] == 8_000_000
    assert (estimate["target_wh"], estimate["reachable"]) == (10_000_000, False)
    assert estimate["organization_count"] == 2


def test_the_estimate_names_devices_that_are_not_reservable(app, market) -> None:
    reserve(app, market.buyer, market.devices[:1])
    body = {"device_ids": [str(d.id) for d in market.devices]}
    estimate = call(app, market.buyer, "POST", "/api/v1/device-catalogue/estimate", body).json
    assert estimate["unavailable_device_ids"] == [str(market.devices[0].id)]
    assert estimate["device_count"] == 1
    assert estimate["reachable"] is None


def test_buyers_of_other_organizations_see_the_same_catalogue(app, market) -> None:
    other_buyer = make_org("Other Buyer", OrganizationType.BUYER)
    assert sorted(listed(app, other_buyer)) == sorted(listed(app, market.buyer))


def test_expected_energy_uses_the_countrys_configured_yield_when_the_device_has_none(app, market) -> None:
    with platform.current().db.unit_of_work() as session:
        session.add(CountryYield(country_code="KEN", yield_kwh_per_kwp=Decimal("1800"), updated_at=NOW))
        session.add(CountryYield(country_code="UGA", yield_kwh_per_kwp=Decimal("1700"), updated_at=NOW))
    by_id = {d["external_id"]: d for d in call(app, market.buyer, "GET", "/api/v1/device-catalogue").json}
    assert by_id["SUN-1"]["expected_annual_wh"] == 5 * 1800 * 1000
    assert by_id["LAKE-1"]["expected_annual_wh"] == 20 * 1500 * 1000  # the device's own yield still wins
    totals = call(app, market.buyer, "GET", "/api/v1/device-catalogue/groups?group_by=country").json
    assert {g["key"]["country"]: g["expected_annual_wh"] for g in totals["groups"]} == {
        "KEN": 55 * 1800 * 1000,
        "UGA": 30_000_000,
    }
    assert totals["total"]["device_count"] == 3
