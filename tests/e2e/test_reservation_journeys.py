"""Browser journey (R-RES-2, R-RES-7): a buyer filters the catalogue, reserves two devices of two developers, and
both developers find the reservation in their notifications."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect

from dapp import platform
from dapp.models.accounts import OrganizationType
from tests.e2e.steps import go_to, new_context, sign_in
from tests.factories.accounts import make_org
from tests.factories.devices import make_device

pytestmark = pytest.mark.browser

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def test_buyer_filters_reserves_devices_of_two_developers_and_both_are_notified(
    app, settings, live_server: str, page: Page, browser: Browser
) -> None:
    platform.current().clock.set(NOW)
    sunny, lake = make_org("Sunny Developers"), make_org("Lake Power")
    make_device(sunny, "SUN-1", capacity_kw="5", off_taker="School")
    make_device(lake, "LAKE-KE-1", capacity_kw="10", off_taker="School", latitude="-0.0917", longitude="34.768")
    make_device(lake, "LAKE-UG-1", country="UGA", latitude="0.3476", longitude="32.5825")
    buyer = make_org("Green Buyer", OrganizationType.BUYER)

    sign_in(page, live_server, buyer.email)
    go_to(page, "Devices", "Device catalogue")
    expect(page.get_by_text("LAKE-UG-1")).to_be_visible()
    filters = page.locator("#catalogue-filters")
    filters.locator("summary", has_text="Country").click()
    filters.get_by_label("Search Country").fill("keny")  # the list of 249 countries narrows as one types
    expect(filters.locator("label.choice:visible")).to_have_count(1)
    filters.get_by_label("Kenya").check()
    expect(page.get_by_text("LAKE-UG-1")).to_have_count(0)  # htmx swapped the results
    expect(page).to_have_url(re.compile(r"/catalogue\?country=KEN"))  # the filtered page can be bookmarked

    page.get_by_label("Pick SUN-1").check()
    page.get_by_label("Pick LAKE-KE-1").check()
    expect(page.locator("#selection")).to_contain_text("Selected: 2 device(s), 15.000 kW")
    page.get_by_role("textbox", name="Name", exact=True).fill("Kenyan schools")
    page.get_by_label("Target volume (MWh)").fill("2")
    page.get_by_role("button", name="Reserve selected devices").click()
    expect(page.get_by_role("heading", name="Kenyan schools")).to_be_visible()
    expect(page.locator("tr.member")).to_have_count(2)

    for developer, device in ((sunny, "SUN-1"), (lake, "LAKE-KE-1")):
        context = new_context(browser)
        developer_page = context.new_page()
        sign_in(developer_page, live_server, developer.email)
        developer_page.get_by_role("link", name="Notifications").click()
        entry = developer_page.locator("li.notification").first
        expect(entry).to_contain_text("reserved by Green Buyer")
        expect(entry).to_contain_text(device)
        expect(entry).to_contain_text("Kenyan schools")
        context.close()
