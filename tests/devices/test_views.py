"""The device pages (R-DEV-5, R-DEV-6, R-TZ-3): list with filters, details pop-up, export, add/edit/delete forms."""

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest

from dapp import platform
from tests.factories.accounts import make_org
from tests.factories.devices import make_device
from tests.support.journeys import Member, onboard

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
FORM = {
    "external_id": "WEB-1",
    "country_code": "KEN",
    "commissioning_date": "2025-05-01",
    "capacity_kw": "3.2",
    "fuel_code": "ES100",
    "device_type_code": "TC120",
    "latitude": "-4.05",
    "longitude": "39.66",
    "sdg_benefits": ["SDG7", "SDG13"],
    "energy_storage": "true",
    "energy_storage_capacity_kwh": "1.5",
}


@pytest.fixture
def member(app, settings) -> Member:
    platform.current().clock.set(NOW)
    return onboard(app, settings.mail_dir, "developer", "Sunny Developers", "ada@sunny.example")


def page(member: Member, path: str, **headers: str) -> tuple[int, str]:
    response = member.client.get(path, headers=headers)
    return response.status_code, response.get_data(as_text=True)


def results(html: str) -> str:
    """The list's results region (what htmx swaps), without flash messages."""
    return html[html.index('id="device-results"') : html.index('id="details"')]


def input_tag(html: str, name: str) -> str:
    match = re.search(rf'<(input|select)[^>]*\bname="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


def test_my_devices_lists_the_columns_and_actions(member) -> None:
    member.form("/devices/new", FORM)
    status, html = page(member, "/devices")
    assert status == 200
    for text in ("WEB-1", "KEN", "2025-05-01", "3.200", "Africa/Nairobi", "Details", "Edit", "Delete"):
        assert text in html


def test_filters_sorting_and_pages_are_applied_by_the_server(member) -> None:
    for n, country in enumerate(["KEN", "NGA", "KEN"]):
        member.form(
            "/devices/new",
            {**FORM, "external_id": f"WEB-{n}", "country_code": country, "latitude": "", "longitude": ""},
        )
    html = results(page(member, "/devices?country=NGA")[1])
    assert "WEB-1" in html
    assert "WEB-0" not in html
    assert "1 device match" in html
    html = results(page(member, "/devices?sort=external_id&order=asc&size=2")[1])
    assert html.index("WEB-0") < html.index("WEB-1")
    assert "WEB-2" not in html
    assert "Page 1 of 2" in html
    status, _ = page(member, "/devices?capacity_min=abc")
    assert status == 422


def test_the_details_pop_up_shows_every_field(member) -> None:
    member.form("/devices/new", FORM)
    status, fragment = page(member, "/devices/WEB-1/details", **{"HX-Request": "true"})
    assert status == 200
    assert fragment.lstrip().startswith("<dialog")
    for text in ("SDG13 Climate Action", "1.500 kWh", "Kenya (KEN)", "PV roof mounted", "Africa/Nairobi"):
        assert text in fragment
    _, full = page(member, "/devices/WEB-1/details")
    assert "<html" in full
    assert "SDG7 Affordable and Clean Energy" in full


def test_the_csv_export_has_the_filtered_devices_in_template_columns(member) -> None:
    member.form("/devices/new", FORM)
    member.form("/devices/new", {**FORM, "external_id": "WEB-2", "capacity_kw": "90"})
    response = member.client.get("/devices/export.csv?capacity_min=50")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["external_id"], r["sdg_benefits"], r["energy_storage"]) for r in rows] == [
        ("WEB-2", "SDG7;SDG13", "yes")
    ]


def test_adding_a_device_through_the_form_and_seeing_errors_next_to_the_fields(member) -> None:
    created = member.form("/devices/new", FORM)
    assert created.status_code == 302
    refused = member.form("/devices/new", {**FORM, "external_id": "WEB-2", "device_type_code": "TC999"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "accepted values: TC110, TC120" in html
    assert 'class="field has-error"' in html
    assert 'value="WEB-2"' in html  # what was typed is kept


def test_the_add_form_keeps_submit_disabled_until_mandatory_fields_are_valid(member) -> None:
    _, html = page(member, "/devices/new")
    assert 'id="device-form"' in html  # static/app.js keeps its submit disabled (tests/e2e/test_device_journeys.py)
    assert "app.js" in html
    assert '<p id="device-missing" class="muted" aria-live="polite"></p>' in html  # where it says what is missing
    for name in ("external_id", "country_code", "commissioning_date", "capacity_kw", "fuel_code", "device_type_code"):
        assert f'id="{name}" name="{name}"' in html


def test_the_time_zone_picker_offers_the_zones_of_the_country(member) -> None:
    status, options = page(member, "/devices/timezones?country_code=USA", **{"HX-Request": "true"})
    assert status == 200
    assert "America/New_York" in options
    assert "America/Los_Angeles" in options
    assert "Africa/Nairobi" not in options
    refused = member.form("/devices/new", {**FORM, "country_code": "USA", "latitude": "", "longitude": ""})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "choose one of" in html
    assert '<option value="America/Chicago"' in html


def test_editing_through_the_form_saves_and_clears_fields(member) -> None:
    member.form("/devices/new", {**FORM, "address": "Plot 7"})
    _, html = page(member, "/devices/WEB-1/edit")
    assert 'value="Plot 7"' in html
    saved = member.form(
        "/devices/WEB-1/edit", {**FORM, "capacity_kw": "4", "address": "", "energy_storage_capacity_kwh": ""}
    )
    assert saved.status_code == 302
    _, details = page(member, "/devices/WEB-1/details")
    assert "4.000 kW" in details
    assert "Plot 7" not in details


def test_the_edit_form_of_a_certified_device_locks_identity_fields_and_says_why(member, app) -> None:
    from tests.devices.test_certified import certify
    from tests.factories.accounts import Org

    member.form("/devices/new", {**FORM, "capacity_kw": "50", "energy_storage": "", "energy_storage_capacity_kwh": ""})
    with platform.current().db.unit_of_work() as session:
        from sqlalchemy import select

        from dapp.access.auth import actor_for_user
        from dapp.models.accounts import User
        from dapp.models.devices import Device

        user = session.scalar(select(User))
        device = session.scalar(select(Device))
        actor = actor_for_user(session, user.id)
    key = member.api("POST", "/api/v1/api-keys", {"name": "k", "permissions": {"meter_reads": ["WRITE"]}}).json["key"]
    certify(app.test_client(), Org(actor, key, member.email), device)
    _, html = page(member, "/devices/WEB-1/edit")
    assert "can no longer change" in html
    assert "disabled" in input_tag(html, "external_id")
    assert "disabled" in input_tag(html, "country_code")
    assert "disabled" in input_tag(html, "commissioning_date")
    assert "disabled" not in input_tag(html, "capacity_kw")
    saved = member.form(
        "/devices/WEB-1/edit",
        {**FORM, "external_id": "MOVED", "capacity_kw": "60", "energy_storage": "", "energy_storage_capacity_kwh": ""},
    )
    assert saved.status_code == 302  # the locked field is ignored; the rest is saved
    _, details = page(member, "/devices/WEB-1/details")
    assert "60.000 kW" in details


def test_deleting_asks_for_confirmation_then_deletes(member) -> None:
    member.form("/devices/new", FORM)
    _, html = page(member, "/devices/WEB-1/delete")
    assert "cannot be undone" in html
    assert member.form("/devices/WEB-1/delete", {}).status_code == 302
    assert page(member, "/devices/WEB-1/details")[0] == 404


def test_another_organizations_device_pages_are_not_found(member) -> None:
    other = make_org("Other Developers")
    make_device(other, "THEIRS", commissioning=date(2025, 1, 1))
    for path in ("/devices/THEIRS/details", "/devices/THEIRS/edit", "/devices/THEIRS/delete"):
        assert page(member, path)[0] == 404
    assert "THEIRS" not in page(member, "/devices")[1]
