"""Browser journeys of a developer's meter reads (R-READ-10, R-READ-11, R-READ-13, R-TZ-2, R-UI-1): add reads
through the form, find them in the list in local time and UTC, switch unit, filter by date, upload a CSV with one
bad row, open the device's energy ledger; and the same forms without JavaScript."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from dapp import platform
from tests.e2e.steps import go_to, new_context, sign_in
from tests.factories.accounts import make_org
from tests.factories.devices import make_device
from tests.reads.conftest import NOW, ONBOARDED

pytestmark = pytest.mark.browser

UPLOAD = (
    "external_id,type,unit,start,end,value,timezone\n"
    "DEV-1,delta,Wh,,2026-06-01T17:00,900,\n"  # [14:00, 17:00) in Nairobi
    "DEV-1,delta,Wh,,2026-06-01T18:00,99999,\n"  # far over 5 kW for an hour
)


def developer(*external_ids: str) -> str:
    clock = platform.current().clock
    clock.set(ONBOARDED)
    org = make_org("Sunny")
    for external_id in external_ids:
        make_device(org, external_id)
    clock.set(NOW)
    return org.email


def add_read(page: Page, end: str, value: str) -> None:
    page.get_by_label("End").fill(end)
    page.get_by_label("Value").fill(value)
    page.get_by_role("button", name="Add read").click()


def test_a_developer_adds_lists_uploads_and_balances_reads(app, live_server: str, page: Page, tmp_path: Path) -> None:
    sign_in(page, live_server, developer("DEV-1"), landing="My devices")
    go_to(page, "Energy", "Add read")
    expect(page.get_by_label("Device (external id)")).to_have_value("DEV-1")
    expect(page.get_by_label("Time zone (for times without an offset)")).to_have_value("Africa/Nairobi")
    add_read(page, "2026-06-01T13:15", "70")
    expect(page.get_by_role("status")).to_contain_text("Read stored as a starting point (the device's first read)")
    page.get_by_label("Unit").select_option("kWh")
    add_read(page, "2026-06-01T14:00", "1.025")
    expect(page.get_by_role("status")).to_have_text(
        "Read accepted: 1025 Wh from 2026-06-01 13:15 Africa/Nairobi (2026-06-01 10:15 UTC)"
        " to 2026-06-01 14:00 Africa/Nairobi (2026-06-01 11:00 UTC)."
    )

    go_to(page, "Energy", "All reads")
    accepted = page.locator("tr.read.status-accepted")
    end = accepted.locator("td").nth(1)
    expect(end).to_contain_text("2026-06-01 14:00 Africa/Nairobi")
    expect(end.locator("small")).to_have_text("2026-06-01 11:00 UTC")
    expect(accepted.locator("td.value")).to_have_text("1025")
    page.get_by_label("Unit").select_option("MWh")  # applies at once, no Filter click
    expect(page).to_have_url(re.compile(r"unit=MWh"))
    expect(accepted.locator("td.value")).to_have_text("0.001025")
    expect(page.locator("#production")).to_be_visible()  # the chart, described by the table below it
    page.get_by_label("From").fill("2026-06-02")
    page.get_by_label("To").fill("2026-06-02")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tr.read")).to_have_count(0)
    expect(page.get_by_text("No reads in this range.")).to_be_visible()

    go_to(page, "Energy", "Add read")
    page.get_by_role("link", name="Upload many reads as CSV").click()
    upload = tmp_path / "reads.csv"
    upload.write_text(UPLOAD)
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_have_text("1 of 2 reads stored; see each row below.")
    rows = page.locator("table.upload-results tbody tr")
    expect(rows.nth(0)).to_contain_text("Accepted")
    expect(rows.nth(0).locator("td").nth(4)).to_have_text("900")
    expect(rows.nth(1)).to_contain_text("Rejected")
    expect(rows.nth(1)).to_contain_text("More than the device's capacity can produce in this time")

    go_to(page, "Energy", "Energy ledger")
    page.get_by_role("button", name="Show").click()
    ledger = page.locator("table.ledger")
    reported = 70 + 1_025 + 900 + 99_999
    for label, wh in [
        ("Reported", reported),
        ("Certified", 0),
        ("Waiting in all", 1_995),
        ("Rejected (1 read)", 99_999),
    ]:
        expect(ledger.locator(f"tr:has(th:text-is('{label}')) td")).to_have_attribute("data-wh", str(wh))


def test_the_read_forms_work_without_javascript(app, live_server: str, browser: Browser, tmp_path: Path) -> None:
    email = developer("DEV-1", "DEV-2")  # two devices: nothing is chosen for the developer
    context = new_context(browser, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, email, landing="My devices")
        page.goto(f"{live_server}/reads/new")
        page.get_by_label("Device (external id)").select_option("DEV-1")  # no htmx to fetch the zone picker
        expect(page.get_by_label("Time zone (for times without an offset)")).to_have_value("")
        add_read(page, "2026-06-01T13:15", "0")
        add_read(page, "2026-06-01T14:00", "1000")  # the device is kept chosen after the redirect
        expect(page.get_by_role("status")).to_contain_text(
            "Read accepted: 1000 Wh from 2026-06-01 13:15 Africa/Nairobi"
        )
        page.goto(f"{live_server}/reads")
        page.get_by_label("Device (external id)").select_option("DEV-1")
        page.get_by_label("Unit").select_option("kWh")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("tr.read.status-accepted td.value")).to_have_text("1")
        page.goto(f"{live_server}/reads/upload")
        upload = tmp_path / "reads.csv"
        upload.write_text(UPLOAD.replace("DEV-1", "DEV-2"))
        page.get_by_label("CSV file").set_input_files(str(upload))
        page.get_by_role("button", name="Upload").click()
        expect(page.locator("table.upload-results tbody tr")).to_have_count(2)
        expect(page.get_by_role("status")).to_have_text("1 of 2 reads stored; see each row below.")
    finally:
        context.close()
