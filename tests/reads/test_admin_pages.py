"""The platform admin's pages of meter reads: yields per country (R-READ-7, R-ACC-7) and flagged reads (R-READ-8).
Nobody else may open or post them."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from dapp import platform
from dapp.models.reads import CountryYield, MeterRead
from tests.factories.accounts import make_platform_admin, signed_in
from tests.factories.reads import ongoing, post_reads, stored_reads
from tests.reads.conftest import at
from tests.support.html import parse, unlabelled_controls
from tests.support.journeys import Member


@pytest.fixture
def admin(app, developer) -> Member:
    make_platform_admin()
    return signed_in(app, "operator@platform.example")


@pytest.fixture
def night_reads(app, developer) -> list[MeterRead]:
    """Two reads of the Nairobi night (23:00 to 01:00 local): production a clear sky cannot explain."""
    response = post_reads(app, developer, ongoing("delta", (at(10), 0), (at(11), 7), (at(12), 8)))
    assert [r["status"] for r in response.json["results"]] == ["baseline", "flagged", "flagged"]
    return [r for r in stored_reads() if r.status == "flagged"]


def country_yields() -> dict[str, Decimal]:
    with platform.current().db.unit_of_work() as session:
        return {row.country_code: row.yield_kwh_per_kwp for row in session.scalars(select(CountryYield))}


def test_the_admin_sets_and_removes_a_country_yield(app, developer, admin) -> None:
    page = parse(admin.client.get("/admin/country-yields").get_data(as_text=True))
    assert "otherwise 2000 kWh/kWp/year" in page.text
    assert unlabelled_controls(page) == []
    saved = admin.form("/admin/country-yields", {"country_code": "ken", "yield_kwh_per_kwp": "1500", "action": "set"})
    assert saved.status_code == 302
    assert country_yields() == {"KEN": Decimal("1500.00")}
    listed = parse(admin.client.get("/admin/country-yields").get_data(as_text=True))
    assert [cell.text for cell in listed.find("tbody").find("tr").find_all("td")][:2] == ["KEN", "1500.00"]
    # reads judged from now on use it: 5 kW × 1000 × 1500/8760 × 1 h × 1.2 = 1027 Wh at most
    response = post_reads(app, developer, ongoing("delta", (at(0.25), 0), (at(1.25), 1_028)))
    assert response.json["results"][1]["max_energy_wh"] == 1_027
    removed = admin.form("/admin/country-yields", {"country_code": "KEN", "action": "remove"})
    assert removed.status_code == 302
    assert country_yields() == {}


def test_an_impossible_yield_is_refused_with_the_reason(admin) -> None:
    for value, reason in [("0", "greater than 0"), ("9000", "less than or equal to 8760")]:
        refused = admin.form("/admin/country-yields", {"country_code": "KEN", "yield_kwh_per_kwp": value})
        assert refused.status_code == 422
        assert reason in refused.get_data(as_text=True)
    unknown = admin.form("/admin/country-yields", {"country_code": "XYZ", "yield_kwh_per_kwp": "1500"})
    assert unknown.status_code == 422
    assert "Unknown country &#39;XYZ&#39;" in unknown.get_data(as_text=True)
    assert country_yields() == {}


def test_only_platform_admins_open_the_admin_read_pages(app, developer, night_reads) -> None:
    member = signed_in(app, developer.email)  # an organization admin, not a platform admin
    for path in ("/admin/country-yields", "/admin/flagged-reads"):
        assert member.client.get(path).status_code == 403
        assert app.test_client().get(path).status_code == 302  # anonymous: to the sign-in page
    refused = member.form("/admin/country-yields", {"country_code": "KEN", "yield_kwh_per_kwp": "1"})
    assert refused.status_code == 403
    assert country_yields() == {}
    refused = member.form("/admin/flagged-reads", {"read_id": str(night_reads[0].id), "decision": "accept"})
    assert refused.status_code == 403
    assert [r.status for r in stored_reads() if r.id == night_reads[0].id] == ["flagged"]


def test_the_admin_accepts_one_flagged_read_and_dismisses_another(app, developer, admin, night_reads) -> None:
    first, second = night_reads
    page = parse(admin.client.get("/admin/flagged-reads").get_data(as_text=True))
    rows = page.find_all("tr", class_="flagged-read")
    assert [[cell.text for cell in row.find_all("td")][:4] for row in rows] == [
        [
            "Sunny",
            "DEV-1",
            "2026-06-01 23:00 Africa/Nairobi – 2026-06-02 00:00 Africa/Nairobi"
            " 2026-06-01 20:00 UTC – 2026-06-01 21:00 UTC",
            "7 Wh",
        ],
        [
            "Sunny",
            "DEV-1",
            "2026-06-02 00:00 Africa/Nairobi – 2026-06-02 01:00 Africa/Nairobi"
            " 2026-06-01 21:00 UTC – 2026-06-01 22:00 UTC",
            "8 Wh",
        ],
    ]
    assert unlabelled_controls(page) == []
    accepted = admin.form("/admin/flagged-reads", {"read_id": str(first.id), "decision": "accept", "note": "generator"})
    assert accepted.status_code == 302
    dismissed = admin.form("/admin/flagged-reads", {"read_id": str(second.id), "decision": "dismiss"})
    assert dismissed.status_code == 302
    after = {r.id: (r.status, r.review_note, r.reviewed_by_id is not None) for r in stored_reads()}
    assert after[first.id] == ("accepted", "generator", True)
    assert after[second.id] == ("dismissed", None, True)
    page = parse(admin.client.get("/admin/flagged-reads").get_data(as_text=True))
    assert page.find_all("tr", class_="flagged-read") == []
    again = admin.form("/admin/flagged-reads", {"read_id": str(first.id), "decision": "dismiss"})
    shown = parse(admin.client.get(again.headers["Location"]).get_data(as_text=True))
    assert f"Read {first.id} is accepted, not flagged" in shown.text
    assert [r.status for r in stored_reads() if r.id == first.id] == ["accepted"]
