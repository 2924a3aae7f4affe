"""Browser journey of a developer (R-DEV-7, R-DEV-6): upload a CSV with one good, one partially valid and one
failed row, follow the job, then fix the partial row through the device's edit form."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dapp import platform
from tests.e2e.steps import sign_in
from tests.factories.devices import GOOD_ROW, csv_bytes
from tests.support.journeys import onboard
from tests.support.workers import run_jobs

pytestmark = pytest.mark.browser

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
ROWS = [
    {**GOOD_ROW, "external_id": "GOOD-1"},
    {**GOOD_ROW, "external_id": "PART-2", "off_taker": "Hospital", "sdg_benefits": "SDG7"},
    {**GOOD_ROW, "external_id": "FAIL-3", "device_type_code": "TC999"},
]


def test_upload_three_rows_then_fix_the_partial_one_through_edit(
    app, settings, live_server: str, page: Page, tmp_path: Path
) -> None:
    platform.current().clock.set(NOW)
    member = onboard(app, settings.mail_dir, "developer", "Sunny Developers", "ada@sunny.example")
    sign_in(page, live_server, member.email, landing="My devices")

    page.get_by_role("link", name="Bulk upload").first.click()
    upload = tmp_path / "devices.csv"
    upload.write_bytes(csv_bytes(ROWS))
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload").click()
    job_id = page.locator("#job-id").inner_text()
    expect(page.get_by_role("status").first).to_contain_text(f"Upload received: job {job_id}")
    expect(page.locator(".upload-status")).to_have_text("queued")

    run_jobs()  # the bulk worker; the page's progress poll notices and shows the log
    expect(page.locator(".upload-status")).to_have_text("finished")
    statuses = page.locator("tr.upload-row .row-status")
    expect(statuses).to_have_text(["Success", "Success with validation errors", "Failed"])
    partial = page.locator("tr.upload-row[data-row='3']")
    expect(partial).to_contain_text("Off-taker 'Hospital' is not accepted; accepted values: School")
    failed = page.locator("tr.upload-row[data-row='4']")
    expect(failed).to_contain_text("Device type code 'TC999' is not accepted; accepted values: TC110")

    partial.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit device PART-2")).to_be_visible()
    page.get_by_label("Off-taker").select_option("Health Facility")
    page.get_by_role("button", name="Save device").click()
    expect(page.get_by_role("status").first).to_have_text("Device PART-2 saved.")

    row = page.locator("tr.device[data-external-id='PART-2']")
    row.get_by_role("link", name="Details of PART-2").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Health Facility")
    dialog.get_by_role("button", name="Close").click()
    expect(page.locator("tr.device")).to_have_count(2)  # GOOD-1 and PART-2; the failed row created nothing


def test_the_add_form_enables_submit_only_when_mandatory_fields_are_valid(
    app, settings, live_server: str, page: Page
) -> None:
    platform.current().clock.set(NOW)
    member = onboard(app, settings.mail_dir, "developer", "Sunny Developers", "ada@sunny.example")
    sign_in(page, live_server, member.email, landing="My devices")
    page.get_by_role("link", name="Add device").first.click()
    submit = page.get_by_role("button", name="Register device")
    expect(submit).to_be_disabled()
    page.get_by_label("External id").fill("WEB 1")  # a space is not allowed
    page.get_by_label("Country").select_option("USA")
    page.get_by_label("Commissioning date").fill("2025-05-01")
    page.get_by_label("Capacity (kW)").fill("4")
    page.get_by_label("Fuel").select_option("ES100")
    page.get_by_label("Device type").select_option("TC110")
    expect(submit).to_be_disabled()
    page.get_by_label("External id").fill("WEB-1")
    expect(submit).to_be_enabled()
    expect(page.locator("#timezone option[value='America/Chicago']")).to_have_count(1)  # the country's zones
    page.get_by_label("Time zone").select_option("America/Chicago")
    submit.click()
    expect(page.get_by_role("status").first).to_have_text("Device WEB-1 registered.")
