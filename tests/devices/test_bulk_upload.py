"""Bulk upload jobs (R-DEV-7): per-row statuses, plain errors, no duplicates, progress, emails, the job log."""

import email
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from dapp import platform
from dapp.models.devices import Device
from tests.factories.accounts import make_org
from tests.factories.devices import GOOD_ROW, csv_bytes
from tests.support.workers import run_jobs

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
PARTIAL = {**GOOD_ROW, "external_id": "CSV-2", "off_taker": "Hospital", "sdg_benefits": "SDG7;SDG99"}
FAILED = {**GOOD_ROW, "external_id": "CSV-3", "device_type_code": "TC999", "capacity_kw": "-4"}


@pytest.fixture
def client(app, settings):
    platform.current().clock.set(NOW)
    return app.test_client()


@pytest.fixture
def dev(client):
    return make_org("Sunny Developers")


def upload(client, org, rows, name="devices.csv"):
    data = csv_bytes(rows)
    return client.post(
        "/api/v1/device-uploads",
        data={"file": (__import__("io").BytesIO(data), name)},
        headers=org.auth,
        content_type="multipart/form-data",
    )


def finished(client, org, rows):
    started = upload(client, org, rows)
    assert started.status_code == 202, started.json
    run_jobs()
    job = client.get(f"/api/v1/device-uploads/{started.json['id']}", headers=org.auth).json
    log = client.get(f"/api/v1/device-uploads/{started.json['id']}/rows", headers=org.auth).json
    return job, {row["row_number"]: row for row in log["items"]}


def devices(org):
    with platform.current().db.unit_of_work() as session:
        return {
            d.external_id: d
            for d in session.scalars(select(Device).where(Device.organization_id == org.actor.organization_id))
        }


def test_good_partial_and_failed_rows_each_get_their_status(client, dev) -> None:
    job, rows = finished(client, dev, [GOOD_ROW, PARTIAL, FAILED])
    assert (job["status"], job["rows_done"], job["row_count"]) == ("finished", 3, 3)
    assert (job["success"], job["success_with_errors"], job["failed"]) == (1, 1, 1)
    assert [rows[n]["status_label"] for n in (2, 3, 4)] == ["Success", "Success with validation errors", "Failed"]
    assert rows[2]["errors"] == []
    assert set(devices(dev)) == {"CSV-1", "CSV-2"}


def test_a_partially_valid_row_creates_the_device_without_the_wrong_optional_values(client, dev) -> None:
    _, rows = finished(client, dev, [PARTIAL])
    messages = [e["message"] for e in rows[2]["errors"]]
    assert any("Off-taker 'Hospital' is not accepted; accepted values: School, Health Facility" in m for m in messages)
    assert any("SDG99" in m and "SDG17" in m for m in messages)
    device = devices(dev)["CSV-2"]
    assert (device.off_taker, device.sdg_benefits) == (None, [])
    assert rows[2]["device_id"] == str(device.id)


def test_a_failed_row_names_every_wrong_mandatory_field_in_a_sentence(client, dev) -> None:
    _, rows = finished(client, dev, [FAILED, {**GOOD_ROW, "external_id": "", "commissioning_date": "31/03/2025"}])
    fields = {e["field"]: e["message"] for e in rows[2]["errors"]}
    assert set(fields) == {"device_type_code", "capacity_kw"}
    assert "Capacity (kW) '-4' is not accepted: write a number of kW above 0" in fields["capacity_kw"]
    missing = {e["field"]: e["message"] for e in rows[3]["errors"]}
    assert "External id is missing; it is required" in missing["external_id"]
    assert "write a date as YYYY-MM-DD" in missing["commissioning_date"]
    assert rows[2]["device_id"] is None
    assert devices(dev) == {}


@pytest.mark.parametrize(
    ("row", "field", "code"),
    [
        (
            {"energy_storage": "no", "energy_storage_capacity_kwh": "3"},
            "energy_storage_capacity_kwh",
            "storage_capacity_without_storage",
        ),
        ({"longitude": ""}, "longitude", "coordinates_incomplete"),
        ({"grid_interconnection": "perhaps"}, "grid_interconnection", "invalid"),
        ({"device_description": "Wind"}, "device_description", "unknown_value"),
        ({"yield_kwh_per_kwp": "0"}, "yield_kwh_per_kwp", "invalid"),
    ],
)
def test_each_wrong_optional_value_is_dropped_and_reported(client, dev, row, field, code) -> None:
    _, rows = finished(client, dev, [{**GOOD_ROW, **row}])
    assert rows[2]["status"] == "success_with_errors"
    assert [(e["field"], e["code"]) for e in rows[2]["errors"]] == [(field, code)]
    assert getattr(devices(dev)["CSV-1"], field) in (None, False, [])


def test_a_coordinate_out_of_range_drops_the_pair_and_says_why(client, dev) -> None:
    _, rows = finished(client, dev, [{**GOOD_ROW, "latitude": "-95"}])
    assert [(e["field"], e["code"]) for e in rows[2]["errors"]] == [
        ("latitude", "invalid"),
        ("latitude", "coordinates_incomplete"),
    ]
    assert "decimal degrees from -90 (south) to 90 (north)" in rows[2]["errors"][0]["message"]
    device = devices(dev)["CSV-1"]
    assert (device.latitude, device.longitude, device.timezone) == (None, None, "Africa/Nairobi")


def test_dropping_wrong_coordinates_still_finds_the_zone_of_a_one_zone_country(client, dev) -> None:
    _, rows = finished(client, dev, [{**GOOD_ROW, "latitude": "abc"}])
    assert rows[2]["status"] == "success_with_errors"
    assert devices(dev)["CSV-1"].timezone == "Africa/Nairobi"


def test_a_row_of_a_country_with_several_zones_and_no_usable_place_fails(client, dev) -> None:
    row = {**GOOD_ROW, "country_code": "USA", "latitude": "", "longitude": "", "timezone": "Africa/Nairobi"}
    _, rows = finished(client, dev, [row])
    assert rows[2]["status"] == "failed"
    assert [e["code"] for e in rows[2]["errors"]] == ["timezone_not_in_country", "timezone_required"]


def test_hemispheres_are_all_accepted_in_a_file(client, dev) -> None:
    places = [
        ("AUS", "-33.87", "151.21"),
        ("BRA", "-22.91", "-43.17"),
        ("USA", "40.71", "-74.01"),
        ("KEN", "-1.29", "36.82"),
    ]
    rows = [
        {**GOOD_ROW, "external_id": f"H{n}", "country_code": c, "latitude": lat, "longitude": lon}
        for n, (c, lat, lon) in enumerate(places)
    ]
    job, _ = finished(client, dev, rows)
    assert job["success"] == 4
    assert {d.timezone for d in devices(dev).values()} == {
        "Australia/Sydney",
        "America/Sao_Paulo",
        "America/New_York",
        "Africa/Nairobi",
    }


def test_a_duplicate_external_id_within_the_file_fails_the_later_row(client, dev) -> None:
    _, rows = finished(client, dev, [GOOD_ROW, {**GOOD_ROW, "external_id": "csv-1"}])
    assert rows[3]["status"] == "failed"
    assert rows[3]["errors"][0]["message"] == "External id 'csv-1' is already used by row 2 of this file."
    assert len(devices(dev)) == 1


def test_uploading_the_same_file_again_creates_no_duplicates(client, dev) -> None:
    finished(client, dev, [GOOD_ROW, PARTIAL, FAILED])
    fixed = {**FAILED, "device_type_code": "TC110", "capacity_kw": "4"}
    job, rows = finished(client, dev, [GOOD_ROW, PARTIAL, fixed])
    assert set(devices(dev)) == {"CSV-1", "CSV-2", "CSV-3"}
    assert rows[2]["note"].startswith("Already registered")
    assert rows[4]["note"] is None
    assert job["success"] == 2


def test_another_organization_may_upload_the_same_external_ids(client, dev) -> None:
    finished(client, dev, [GOOD_ROW])
    other = make_org("Other Developers")
    job, _ = finished(client, other, [GOOD_ROW])
    assert (job["success"], len(devices(other))) == (1, 1)


def test_a_bad_row_never_stops_the_others(client, dev) -> None:
    rows = [{**GOOD_ROW, "external_id": f"D{n}", "capacity_kw": "x" if n % 3 == 0 else "2"} for n in range(1200)]
    job, _ = finished(client, dev, rows)
    assert (job["failed"], job["success"]) == (400, 800)
    with platform.current().db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Device)) == 800


def test_a_malformed_file_is_refused_through_the_api_and_nothing_is_stored(client, dev) -> None:
    response = client.post(
        "/api/v1/device-uploads", data=b"\xff\xfe\x00garbage", headers={**dev.auth, "Content-Type": "text/csv"}
    )
    assert (response.status_code, response.json["code"]) == (422, "not_utf8")
    assert client.get("/api/v1/device-uploads", headers=dev.auth).json["total"] == 0


def test_the_file_is_kept_in_the_content_store_by_cid(client, dev) -> None:
    started = upload(client, dev, [GOOD_ROW])
    assert platform.current().content.get(started.json["file_cid"]) == csv_bytes([GOOD_ROW])


def test_progress_is_visible_before_the_job_runs_and_the_job_is_idempotent(client, dev) -> None:
    started = upload(client, dev, [GOOD_ROW, PARTIAL]).json
    assert (started["status"], started["rows_done"], started["row_count"]) == ("queued", 0, 2)
    from dapp.devices.jobs import process_upload_job

    run_jobs()
    assert process_upload_job(started["id"]) == 0  # finished: running it again changes nothing
    assert len(devices(dev)) == 2


def test_the_job_id_is_emailed_on_upload_and_the_summary_when_finished(client, dev, settings) -> None:
    job, _ = finished(client, dev, [GOOD_ROW, FAILED])
    subjects = {}
    for path in settings.mail_dir.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes())
        subjects[message["Subject"]] = message.get_payload(decode=True).decode()
    received = subjects[f"Device upload received: job {job['id']}"]
    assert f"/devices/uploads/{job['id']}" in received
    assert "Failed: 1" in subjects[f"Device upload finished: job {job['id']}"]


def test_uploads_need_write_on_bulk_upload_and_jobs_are_private(client, dev) -> None:
    reader = make_org("Readers", permissions={"bulk_upload": ["READ"], "devices": ["READ", "WRITE"]})
    refused = upload(client, reader, [GOOD_ROW])
    assert (refused.status_code, refused.json["permission"]) == (403, "WRITE")
    started = upload(client, dev, [GOOD_ROW]).json
    other = make_org("Other Developers")
    assert client.get(f"/api/v1/device-uploads/{started['id']}", headers=other.auth).status_code == 404
    assert client.get(f"/api/v1/device-uploads/{started['id']}/rows", headers=other.auth).status_code == 404


def test_the_log_can_show_one_status(client, dev) -> None:
    job, _ = finished(client, dev, [GOOD_ROW, PARTIAL, FAILED])
    failed = client.get(f"/api/v1/device-uploads/{job['id']}/rows?status=failed", headers=dev.auth).json
    assert [r["row_number"] for r in failed["items"]] == [4]
    wrong = client.get(f"/api/v1/device-uploads/{job['id']}/rows?status=odd", headers=dev.auth)
    assert wrong.status_code == 422


def test_the_template_is_served_as_json_through_the_api(client, dev) -> None:
    columns = client.get("/api/v1/device-uploads/template", headers=dev.auth).json["columns"]
    by_name = {c["name"]: c for c in columns}
    assert [c["name"] for c in columns if c["required"]] == [
        "external_id",
        "country_code",
        "commissioning_date",
        "capacity_kw",
        "fuel_code",
        "device_type_code",
    ]
    assert {"value": "TC130", "meaning": "PV floating"} in by_name["device_type_code"]["values"]
