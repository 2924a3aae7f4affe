"""My reservations and a reservation's details (R-RES-4): filters, columns, certificates, isolation."""

from datetime import UTC, datetime, timedelta

import pytest

from dapp.models.accounts import OrganizationType
from tests.factories.accounts import make_org
from tests.reservations.conftest import NOW
from tests.reservations.support import call, certify_until, reserve, send_daylight_reads
from tests.support.workers import run_indexer, run_jobs, scheduler_tick


@pytest.fixture
def portfolio(app, market):
    """Kenya (running, SUN devices), Uganda (from next month, LAKE device), Past (ended)."""
    kenya = reserve(app, market.buyer, market.devices, name="Kenya", target_volume_mwh="2").json
    uganda = reserve(
        app,
        market.buyer,
        market.other_devices,
        name="Uganda",
        start=NOW + timedelta(days=31),
        end=NOW + timedelta(days=90),
    ).json
    return {"kenya": kenya, "uganda": uganda}


def names(app, buyer, query: str = "") -> list[str]:
    response = call(app, buyer, "GET", f"/api/v1/reservations{query}")
    assert response.status_code == 200, response.json
    return sorted(item["name"] for item in response.json["items"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Kenya", "Uganda"]),
        ("?country=UGA", ["Uganda"]),
        ("?fuel=ES100", ["Kenya", "Uganda"]),
        ("?off_taker=Residential", ["Kenya"]),
        ("?sdg=SDG13", ["Uganda"]),
        ("?sdg=SDG4,SDG13", ["Kenya", "Uganda"]),
        ("?status=active", ["Kenya"]),
        ("?status=upcoming", ["Uganda"]),
        ("?status=ended", []),
        ("?date_from=2026-07-15", ["Uganda"]),
        ("?date_to=2026-06-15", ["Kenya"]),
        ("?date_from=2026-06-20&date_to=2026-07-05", ["Kenya", "Uganda"]),
    ],
)
def test_filters(app, market, portfolio, query, expected) -> None:
    assert names(app, market.buyer, query) == expected


@pytest.mark.parametrize("query", ["?status=paused", "?date_from=2026-07-01&date_to=2026-06-01", "?off_taker=Zoo"])
def test_bad_filters_are_refused(app, market, portfolio, query) -> None:
    response = call(app, market.buyer, "GET", f"/api/v1/reservations{query}")
    assert (response.status_code, response.json["code"]) == (422, "invalid_filter")


def test_rows_have_every_column(app, market, portfolio) -> None:
    [row] = [r for r in call(app, market.buyer, "GET", "/api/v1/reservations").json["items"] if r["name"] == "Kenya"]
    assert row["status"] == "active"
    assert (row["target_wh"], row["issued_wh"], row["issued_percent"]) == (2_000_000, 0, "0.00")
    assert (row["frequency"], row["device_count"]) == ("daily", 2)
    assert row["off_takers"] == ["Residential", "School"]
    assert row["sdg_benefits"] == ["SDG4", "SDG7"]
    assert row["countries"] == ["KEN"]


def test_issued_volume_counts_minted_certificates(app, market, portfolio) -> None:
    send_daylight_reads(app, market.developer, market.devices[0], hours=2, wh=500)
    certify_until(datetime(2026, 6, 2, tzinfo=UTC))
    kenya = call(app, market.buyer, "GET", f"/api/v1/reservations/{portfolio['kenya']['id']}").json
    assert (kenya["issued_wh"], kenya["requested_wh"]) == (0, 1000)  # issued, not yet minted
    scheduler_tick()
    run_jobs()
    run_indexer()
    kenya = call(app, market.buyer, "GET", f"/api/v1/reservations/{portfolio['kenya']['id']}").json
    assert (kenya["issued_wh"], kenya["issued_percent"]) == (1000, "0.05")
    certificates = call(app, market.buyer, "GET", f"/api/v1/reservations/{portfolio['kenya']['id']}/certificates").json
    assert [(c["volume_wh"], c["status"]) for c in certificates] == [(1000, "minted")]


def test_details_list_the_devices_with_their_membership(app, market, portfolio) -> None:
    detail = call(app, market.buyer, "GET", f"/api/v1/reservations/{portfolio['kenya']['id']}").json
    devices = {d["external_id"]: d for d in detail["devices"]}
    assert sorted(devices) == ["SUN-1", "SUN-2"]
    sun = devices["SUN-2"]
    assert (sun["country_code"], sun["capacity_kw"], sun["off_taker"], sun["device_type_code"]) == (
        "KEN",
        "50.000",
        "Residential",
        "TC120",
    )
    assert (sun["commissioning_date"], sun["sdg_benefits"], sun["state"]) == ("2026-01-15", ["SDG4", "SDG7"], "active")
    assert sun["onboarded_at"]
    assert "project_name" in sun
    assert [e["kind"] for e in detail["log"]] == ["created"]


def test_other_organizations_see_nothing(app, market, portfolio) -> None:
    other_buyer = make_org("Other Buyer", OrganizationType.BUYER)
    assert names(app, other_buyer) == []
    for path in ("", "/certificates"):
        response = call(app, other_buyer, "GET", f"/api/v1/reservations/{portfolio['kenya']['id']}{path}")
        assert (response.status_code, response.json["code"]) == (404, "reservation_not_found")
