"""Controls that read well (issue 20): destructive actions ask first, the navigation's menus open and close,
a sort survives a filter, and the add-device button says what it still needs."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import go_to, sign_in
from tests.factories.accounts import make_org
from tests.factories.devices import make_device

pytestmark = pytest.mark.browser


def test_revoking_a_key_asks_first_and_a_refusal_keeps_it(app, live_server: str, page: Page) -> None:
    developer = make_org("Sunny Developers")
    sign_in(page, live_server, developer.email, landing="My devices")
    go_to(page, "Organization", "API keys")
    key = page.locator("tr.api-key")
    revoke = key.get_by_role("button", name="Revoke test key")
    expect(revoke).to_have_class(re.compile(r"\blink-danger\b"))

    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    revoke.click()
    expect(key).to_contain_text("active")
    assert questions == ["Revoke the key test key? Every call made with it is refused from now on."]

    page.once("dialog", lambda dialog: dialog.accept())
    revoke.click()
    expect(key).to_contain_text("revoked")


def test_a_menu_opens_on_a_phone_without_widening_the_page_and_escape_closes_it(
    app, live_server: str, page: Page
) -> None:
    developer = make_org("Sunny Developers")
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, live_server, developer.email, landing="My devices")
    navigation = page.get_by_role("navigation", name="Main")
    ledger = navigation.get_by_role("link", name="Energy ledger")
    expect(ledger).to_be_hidden()

    navigation.locator("summary", has_text="Energy").click()
    expect(ledger).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.keyboard.press("Escape")
    expect(ledger).to_be_hidden()


def test_a_sort_is_kept_when_a_filter_is_applied(app, live_server: str, page: Page) -> None:
    developer = make_org("Sunny Developers")
    for external_id, capacity in (("B-2", "5"), ("A-1", "7"), ("C-3", "1")):
        make_device(developer, external_id, capacity_kw=capacity)
    sign_in(page, live_server, developer.email, landing="My devices")
    rows = page.locator("tr.device td:nth-child(2)")

    page.get_by_role("link", name="External id").click()
    expect(rows).to_have_text(["C-3", "B-2", "A-1"])  # descending first
    page.get_by_label("Capacity from (kW)").fill("2")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_text(["B-2", "A-1"])
    expect(page).to_have_url(re.compile(r"sort=external_id"))


def test_the_add_device_button_says_what_it_still_needs(app, live_server: str, page: Page) -> None:
    developer = make_org("Sunny Developers")
    sign_in(page, live_server, developer.email, landing="My devices")
    go_to(page, "Devices", "Add device")
    missing = page.locator("#device-missing")
    expect(page.get_by_role("button", name="Register device")).to_be_disabled()
    expect(missing).to_contain_text("Still needed: External id")

    page.locator("#external_id").fill("NEW-1")
    expect(missing).not_to_contain_text("External id")
