"""The D-REC compatibility routes (R-READ-2, ADR 0101): each row of the ADR's table, request by request."""

from datetime import UTC, datetime, timedelta

from dapp import platform
from tests.factories.accounts import make_org
from tests.factories.devices import make_device
from tests.factories.reads import stored_reads
from tests.reads.conftest import at


def drec(*reads: dict, kind: str = "Delta", timezone: str | None = "Africa/Nairobi") -> dict:
    body = {"type": kind, "unit": "kWh", "reads": list(reads)}
    if timezone:
        body["timezone"] = timezone
    return body


def post_drec(app, org, body, external_id: str = "DEV-1"):
    return app.test_client().post(f"/api/meter-reads/new/{external_id}", json=body, headers=org.auth)


def test_the_compatibility_endpoint_accepts_the_original_platforms_request(app, developer) -> None:
    # the original shape: local wall-clock times without 'T' or offset, read in the given zone (Nairobi = UTC+3)
    first = post_drec(app, developer, drec({"endtimestamp": "2026-06-01 14:00:00", "value": 0}))
    second = post_drec(app, developer, drec({"endtimestamp": "2026-06-01 15:00:00.500", "value": 0.75}))
    assert (first.status_code, second.status_code) == (201, 201)
    [baseline, accepted] = stored_reads()
    assert baseline.period_end == at(1)
    assert (accepted.period_start, accepted.energy_wh) == (at(1), 750)
    assert accepted.period_end == at(2) + timedelta(milliseconds=500)


def test_the_compatibility_endpoint_refuses_a_bad_read_with_409_and_stores_nothing(app, developer) -> None:
    response = post_drec(app, developer, drec({"endtimestamp": "2026-06-01 09:00:00", "value": 1}))
    assert response.status_code == 409
    assert response.json["code"] == "reads_rejected"
    assert response.json["results"][0]["reason_code"] == "before_onboarding"
    assert response.json["message"] == response.json["detail"]
    assert response.json["success"] is False
    assert (response.json["accepted"], response.json["rejected"]) == (0, 1)  # the shape of success
    assert stored_reads() == []


def test_the_compatibility_endpoint_reads_history_and_aggregate_types(app, developer) -> None:
    history = drec(
        {"starttimestamp": "2026-05-01 00:00:00", "endtimestamp": "2026-05-02 00:00:00", "value": 20}, kind="History"
    )
    aggregate = drec({"endtimestamp": "2026-06-01 14:00:00", "value": 100}, kind="Aggregate")
    assert post_drec(app, developer, history).status_code == 201
    assert post_drec(app, developer, aggregate).status_code == 201
    assert [(r.read_type, r.status) for r in stored_reads()] == [("history", "accepted"), ("aggregate", "baseline")]


def test_the_compatibility_endpoint_needs_the_write_permission_and_finds_only_own_devices(app, developer) -> None:
    other = make_org("Other")
    make_device(other, "THEIRS")
    theirs = post_drec(app, developer, drec({"endtimestamp": "2026-06-01 14:00:00", "value": 1}), "THEIRS")
    assert theirs.status_code == 409  # the original's 'Invalid device id'
    assert (theirs.json["code"], theirs.json["cause"]) == ("drec_device_invalid", "device_not_found")
    reader = make_org("Reader", permissions={"meter_reads": ["READ"]})
    response = post_drec(app, reader, drec({"endtimestamp": "2026-06-01 14:00:00", "value": 1}))
    assert response.status_code == 403
    assert response.json["permission"] == "WRITE"


def test_times_without_offset_and_without_timezone_are_utc_as_in_the_original(app, developer) -> None:
    body = drec({"endtimestamp": "2026-06-01T11:00:00", "value": 0}, timezone=None)
    assert post_drec(app, developer, body).status_code == 201
    assert stored_reads()[0].period_end == at(1)  # 11:00 UTC, not 11:00 in Nairobi


def test_zone_names_are_read_in_any_case(app, developer) -> None:
    body = drec({"endtimestamp": "2026-06-01 14:00:00", "value": 0}, timezone="africa/nairobi")
    assert post_drec(app, developer, body).status_code == 201, body
    assert stored_reads()[0].period_end == at(1)


def test_epoch_milliseconds_are_times_as_numbers_or_digits(app, developer) -> None:
    millis = int(at(1).timestamp() * 1000)
    assert post_drec(app, developer, drec({"endtimestamp": millis, "value": 0}, timezone=None)).status_code == 201
    later = drec({"starttimestamp": " ", "endtimestamp": str(millis + 3_600_000), "value": 0.5}, timezone=None)
    assert post_drec(app, developer, later).status_code == 201
    assert [r.period_end for r in stored_reads()] == [at(1), at(2)]


def test_a_numeric_organization_id_is_tolerated_and_a_foreign_uuid_refused(app, developer) -> None:
    numeric = drec({"endtimestamp": "2026-06-01 14:00:00", "value": 0}) | {"organizationId": 17}
    assert post_drec(app, developer, numeric).status_code == 201
    foreign = drec({"endtimestamp": "2026-06-01 15:00:00", "value": 0}) | {
        "organizationId": str(make_org("X").actor.organization_id)
    }
    response = post_drec(app, developer, foreign)
    assert (response.status_code, response.json["code"]) == (409, "organization_mismatch")


def test_history_reads_older_than_12_months_need_no_acknowledgement_here(app) -> None:
    platform.current().clock.set(datetime(2026, 6, 1, tzinfo=UTC))
    org = make_org("Old")
    make_device(org, "OLD 1", commissioning=datetime(2024, 1, 1).date())
    body = drec(
        {"starttimestamp": "2024-06-01T00:00:00Z", "endtimestamp": "2024-06-02T00:00:00Z", "value": 10},
        kind="History",
        timezone=None,
    )
    response = post_drec(app, org, body, "OLD 1")
    assert response.status_code == 201, response.json
    assert stored_reads()[0].read_type == "history"


def test_an_invalid_body_is_the_originals_400_with_its_message(app, developer) -> None:
    response = post_drec(app, developer, {"type": "Delta", "unit": "Wh"})
    assert response.status_code == 400
    assert (response.json["code"], response.json["cause"]) == ("drec_bad_request", "validation_failed")
    assert response.json["success"] is False
    assert response.json["message"]


def test_reads_are_read_back_in_the_originals_shape(app, developer) -> None:
    reads = [("2026-06-01 14:00:00", 0), ("2026-06-01 15:00:00", 0.5), ("2026-06-01 16:00:00", 0.25)]
    for end, value in reads:
        assert post_drec(app, developer, drec({"endtimestamp": end, "value": value})).status_code == 201
    query = f"readType=meterReads&start={at(0).isoformat()}&end={at(10).isoformat()}".replace("+", "%2B")
    response = app.test_client().get(f"/api/meter-reads/new/DEV-1?{query}", headers=developer.auth)
    assert response.status_code == 200, response.json
    assert response.json["historyread"] == []
    assert [r["value"] for r in response.json["ongoing"]] == [0, 500, 250]
    assert response.json["ongoing"][1] == {
        "startdate": "2026-06-01T11:00:00Z",
        "enddate": "2026-06-01T12:00:00Z",
        "value": 500,
    }
    assert (response.json["numberOfReads"], response.json["numberOfPages"], response.json["currentPageNumber"]) == (
        3,
        1,
        1,
    )
    assert response.json["timezone"] == "Africa/Nairobi"
    wrong = app.test_client().get(
        f"/api/meter-reads/new/DEV-1?readType=accumulated&{query[20:]}", headers=developer.auth
    )
    assert wrong.status_code == 400
