"""The bulk-upload pages (R-DEV-7): template downloads, upload form, job page with progress and its log."""

import io
from datetime import UTC, datetime

import pytest

from dapp import platform
from tests.factories.devices import GOOD_ROW, csv_bytes
from tests.support.html import parse
from tests.support.journeys import Member, onboard
from tests.support.workers import run_jobs

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
PARTIAL = {**GOOD_ROW, "external_id": "CSV-2", "off_taker": "Hospital"}


@pytest.fixture
def member(app, settings) -> Member:
    platform.current().clock.set(NOW)
    return onboard(app, settings.mail_dir, "developer", "Sunny Developers", "ada@sunny.example")


def send(member: Member, data: bytes, name: str = "devices.csv"):
    return member.client.post(
        "/devices/uploads",
        data={"file": (io.BytesIO(data), name), "csrf_token": member.csrf},
        content_type="multipart/form-data",
    )


def test_the_template_and_accepted_values_can_be_downloaded(member) -> None:
    template = member.client.get("/devices/uploads/template.csv")
    assert template.mimetype == "text/csv"
    assert template.get_data(as_text=True).startswith("external_id,country_code,commissioning_date,capacity_kw")
    values = member.client.get("/devices/uploads/accepted-values.csv").get_data(as_text=True)
    assert "TC140,PV aggregated" in values


def test_an_upload_shows_the_job_id_and_its_progress_then_the_log(member) -> None:
    response = send(member, csv_bytes([GOOD_ROW, PARTIAL]))
    assert response.status_code == 302
    job_page = member.client.get(response.headers["Location"]).get_data(as_text=True)
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    assert f"Upload received: job {job_id}" in job_page
    assert "queued" in job_page
    assert "0</span> of 2 rows done" in job_page
    assert 'hx-trigger="every 1s"' in job_page
    run_jobs()
    progress = member.client.get(f"/devices/uploads/{job_id}/progress", headers={"HX-Request": "true"})
    assert progress.headers["HX-Refresh"] == "true"
    html = member.client.get(f"/devices/uploads/{job_id}").get_data(as_text=True)
    assert "finished" in html
    assert 'hx-trigger="every 1s"' not in html
    assert "Success with validation errors" in html
    assert "Off-taker &#39;Hospital&#39; is not accepted; accepted values: School" in html
    assert 'href="/devices/CSV-2/edit"' in html


def test_a_malformed_file_is_refused_on_the_page_with_its_reason(member) -> None:
    response = send(member, b"external_id;foo\nA;b\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "columns the template does not know: &#39;foo&#39;" in html
    assert "No uploads yet." in html


def test_the_upload_form_asks_for_a_file(member) -> None:
    response = member.client.post("/devices/uploads", data={"csrf_token": member.csrf})
    assert response.status_code == 422
    assert "Choose a CSV file to upload." in response.get_data(as_text=True)


def test_the_uploads_page_lists_jobs_with_their_counts(member) -> None:
    send(member, csv_bytes([GOOD_ROW]))
    run_jobs()
    html = member.client.get("/devices/uploads").get_data(as_text=True)
    assert "devices.csv" in html
    assert "1 / 1" in html
    assert [td.text for td in parse(html).find_all("td", class_="status")] == ["Finished"]  # words, not the code
