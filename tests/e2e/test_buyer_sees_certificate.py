"""Browser journey: the buyer signs in and finds the minted certificate of the slice on the Certificates page."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import go_to
from tests.support.journeys import PASSWORD
from tests.test_slice import build_slice, expected_first_window_wh

pytestmark = pytest.mark.browser


def test_buyer_signs_in_and_sees_the_minted_certificate(app, settings, live_server: str, page: Page) -> None:
    journey = build_slice(app, settings)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(journey["buyer"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My reservations")).to_be_visible()
    expect(page.get_by_role("cell", name="Kenya SHS 2026")).to_be_visible()

    go_to(page, "Certificates", "Certificates")
    row = page.locator("tr.certificate")
    expect(row).to_have_count(1)
    expect(row.locator("td.volume")).to_have_attribute("data-wh", str(expected_first_window_wh()))
    expect(row.locator("td.volume")).to_have_text(f"{expected_first_window_wh() / 1000:g} kWh")
    expect(row.get_by_text("minted")).to_be_visible()


def test_wrong_password_is_refused_with_a_message(app, settings, live_server: str, page: Page) -> None:
    journey = build_slice(app, settings)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(journey["buyer"].email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The email or password is wrong.")
    expect(page).to_have_url(f"{live_server}/login")
