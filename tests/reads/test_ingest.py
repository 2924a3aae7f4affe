"""Meter-read ingestion through the API (R-READ-1, R-READ-3 … R-READ-7): every rule broken once."""

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from dapp import platform
from dapp.models.accounts import OrganizationType
from dapp.models.reads import MeterRead, RejectedRead
from tests.factories.accounts import make_org
from tests.factories.devices import make_device
from tests.reads.conftest import NOW, ONBOARDED


def at(hours: float) -> str:
    return (ONBOARDED + timedelta(hours=hours)).isoformat()


def post(app, org, body: dict[str, Any], external_id: str = "DEV-1", query: str = "", headers=None):
    return app.test_client().post(
        f"/api/v1/devices/{external_id}/reads{query}", json=body, headers={**org.auth, **(headers or {})}
    )


def delta(*reads: tuple[float, int], unit: str = "Wh") -> dict[str, Any]:
    return {"type": "delta", "unit": unit, "reads": [{"end": at(h), "value": v} for h, v in reads]}


def stored() -> tuple[int, int]:
    with platform.current().db.unit_of_work() as session:
        return (
            session.scalar(select(func.count()).select_from(MeterRead)),
            session.scalar(select(func.count()).select_from(RejectedRead)),
        )


def statuses(response) -> list[tuple[str, str | None]]:
    return [(r["status"], r.get("reason_code")) for r in response.json["results"]]


def test_first_delta_read_is_a_baseline_and_the_next_is_certifiable(app, developer) -> None:
    response = post(app, developer, delta((1, 500), (2, 900)))
    assert statuses(response) == [("baseline", "first_read"), ("accepted", None)]
    second = response.json["results"][1]
    assert (second["start"], second["end"], second["energy_wh"]) == (at(1), at(2), 900)


def test_rejects_read_over_the_max_energy_limit_with_the_limit(app, developer) -> None:
    # 5 kW × 1000 × 2000/8760 × 1 h × 1.2 ≈ 1369 Wh at most in one hour for a device aged < 1 year
    response = post(app, developer, delta((1, 0), (2, 1370), (3, 1369)))
    assert statuses(response) == [("baseline", "first_read"), ("rejected", "exceeds_max_energy"), ("accepted", None)]
    assert response.json["results"][1]["max_energy_wh"] == 1369
    assert response.json["results"][2]["start"] == at(1)


def test_max_energy_uses_the_device_age_at_the_middle_of_the_interval(app, developer) -> None:
    platform.current().clock.set(ONBOARDED)
    make_device(developer, "AGED", commissioning=datetime(2021, 6, 1).date())
    platform.current().clock.set(NOW)
    middle = ONBOARDED + timedelta(hours=1.5)
    age_years = (middle - datetime(2021, 6, 1, tzinfo=UTC)).total_seconds() / 86_400 / 365.25
    expected = int(5 * 1000 * 2000 / 8760 * 1 * 0.995 ** (age_years - 1) * 1.2)
    response = post(app, developer, delta((1, 0), (2, 10_000)), external_id="AGED")
    assert response.json["results"][1]["max_energy_wh"] == expected


def test_a_gap_over_30_days_starts_a_new_baseline(app, developer) -> None:
    platform.current().clock.set(ONBOARDED + timedelta(days=40))
    response = post(app, developer, delta((1, 5), (1 + 31 * 24, 7)))
    assert statuses(response) == [("baseline", "first_read"), ("baseline", "gap_exceeded")]


@pytest.mark.parametrize(("end_hours", "code"), [(-1, "before_onboarding"), (49, "in_future")])
def test_rejects_reads_outside_onboarding_and_now(app, developer, end_hours, code) -> None:
    response = post(app, developer, delta((end_hours, 5)))
    assert statuses(response) == [("rejected", code)]
    assert stored() == (0, 1)


def test_accepts_reads_within_the_clock_skew_allowance(app, developer) -> None:
    assert statuses(post(app, developer, delta((48 + 4 / 60, 5)))) == [("baseline", "first_read")]


def test_rejects_a_read_not_after_the_previous_one(app, developer) -> None:
    post(app, developer, delta((2, 5)))
    assert statuses(post(app, developer, delta((2, 5)))) == [("rejected", "not_after_previous")]
    assert statuses(post(app, developer, delta((1, 5)))) == [("rejected", "not_after_previous")]


def test_read_type_is_locked_by_the_first_ongoing_read(app, developer) -> None:
    post(app, developer, delta((1, 5)))
    response = post(app, developer, {"type": "aggregate", "unit": "Wh", "reads": [{"end": at(2), "value": 10}]})
    assert statuses(response) == [("rejected", "type_locked")]


def test_aggregate_reads_derive_deltas_and_refuse_a_decreasing_register(app, developer) -> None:
    body = {
        "type": "aggregate",
        "unit": "kWh",
        "reads": [{"end": at(1), "value": "100"}, {"end": at(2), "value": "100.75"}, {"end": at(3), "value": "100.5"}],
    }
    response = post(app, developer, body)
    assert statuses(response) == [("baseline", "first_read"), ("accepted", None), ("rejected", "decreasing_register")]
    assert response.json["results"][1]["energy_wh"] == 750


def test_units_convert_to_whole_wh_rounding_half_even(app, developer) -> None:
    response = post(app, developer, delta((1, 0), (2, "0.0005"), (3, "0.0015"), unit="kWh"))
    assert [r["energy_wh"] for r in response.json["results"][1:]] == [0, 2]


def test_local_times_without_offset_use_the_device_time_zone(app, developer) -> None:
    # Nairobi is UTC+3: 14:00 local is 11:00 UTC, one hour after onboarding
    response = post(
        app, developer, {"type": "delta", "unit": "Wh", "reads": [{"end": "2026-06-01T14:00:00", "value": 1}]}
    )
    assert response.json["results"][0]["end"] == at(1)


def test_atomic_batch_with_a_bad_read_stores_nothing(app, developer) -> None:
    response = post(app, developer, delta((1, 0), (2, 99_999)), query="?atomic=true")
    assert response.status_code == 422
    assert response.json["code"] == "batch_rejected"
    assert stored() == (0, 0)


def test_a_retry_with_the_same_idempotency_key_stores_nothing_twice(app, developer) -> None:
    first = post(app, developer, delta((1, 0), (2, 500)), headers={"Idempotency-Key": "batch-1"})
    retry = post(app, developer, delta((1, 0), (2, 500)), headers={"Idempotency-Key": "batch-1"})
    assert retry.json == first.json
    assert stored() == (2, 0)
    reused = post(app, developer, delta((3, 1)), headers={"Idempotency-Key": "batch-1"})
    assert reused.status_code == 422
    assert reused.json["code"] == "idempotency_key_reused"


def test_unknown_and_foreign_devices_are_not_found(app, developer) -> None:
    other = make_org("Other Developer")
    make_device(other, "THEIRS")
    for external_id in ("NOPE", "THEIRS"):
        response = post(app, developer, delta((1, 5)), external_id=external_id)
        assert response.status_code == 404
        assert response.json["code"] == "device_not_found"
    assert stored() == (0, 0)


def test_requests_without_valid_credentials_or_permission_are_refused(app, developer) -> None:
    client = app.test_client()
    anonymous = client.post("/api/v1/devices/DEV-1/reads", json=delta((1, 5)))
    forged = client.post(
        "/api/v1/devices/DEV-1/reads", json=delta((1, 5)), headers={"Authorization": "Bearer drec_000000000000_forged"}
    )
    read_only = make_org("Reader", OrganizationType.DEVELOPER, permissions={"meter_reads": ["READ"]})
    make_device(read_only, "DEV-1")
    forbidden = post(app, read_only, delta((1, 5)))
    assert (anonymous.status_code, forged.status_code, forbidden.status_code) == (401, 401, 403)
    assert forged.json["code"] == "invalid_api_key"
    assert (forbidden.json["module"], forbidden.json["permission"]) == ("meter_reads", "WRITE")
    assert stored() == (0, 0)


def history(*reads: tuple[str, str, int]) -> dict[str, Any]:
    return {"type": "history", "unit": "Wh", "reads": [{"start": s, "end": e, "value": v} for s, e, v in reads]}


def test_history_reads_cover_commissioning_to_onboarding_without_overlap(app, developer) -> None:
    response = post(
        app,
        developer,
        history(
            ("2026-05-01T00:00Z", "2026-05-02T00:00Z", 20_000),
            ("2026-05-02T00:00Z", "2026-05-03T00:00Z", 20_000),
            ("2026-05-02T12:00Z", "2026-05-02T18:00Z", 1_000),
            ("2026-05-03T00:00Z", "2026-06-02T00:00Z", 1_000),
            ("2024-12-01T00:00Z", "2024-12-02T00:00Z", 1_000),
            ("2026-05-05T00:00Z", "2026-05-05T00:00Z", 1_000),
        ),
    )
    assert statuses(response) == [
        ("accepted", None),
        ("accepted", None),
        ("rejected", "overlaps_history"),
        ("rejected", "after_onboarding"),
        ("rejected", "before_commissioning"),
        ("rejected", "start_not_before_end"),
    ]
    again = post(app, developer, history(("2026-05-01T12:00Z", "2026-05-01T13:00Z", 1)))
    assert statuses(again) == [("rejected", "overlaps_history")]


def test_history_older_than_12_months_needs_acknowledgement(app, developer) -> None:
    old_device = make_device(developer, "OLD", commissioning=datetime(2024, 1, 1).date())
    body = history(("2025-03-01T00:00Z", "2025-03-02T00:00Z", 1_000))
    refused = post(app, developer, body, external_id=old_device.external_id)
    accepted = post(app, developer, body, external_id=old_device.external_id, query="?acknowledge_old=true")
    assert statuses(refused) == [("rejected", "needs_acknowledgement")]
    assert statuses(accepted) == [("accepted", None)]


def test_a_lost_database_connection_is_a_503_that_stores_nothing_and_the_next_request_reconnects(
    app, developer, settings
) -> None:
    assert post(app, developer, delta((1, 500))).status_code == 200
    before = stored()
    url = make_url(settings.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    lost = post(app, developer, delta((2, 600)))
    assert lost.status_code == 503
    assert lost.json["code"] == "database_unavailable"
    assert stored() == before
    retried = post(app, developer, delta((2, 600)))
    assert statuses(retried) == [("accepted", None)]


@pytest.mark.parametrize("value", [10**20, -(10**20)])
def test_a_value_no_meter_register_holds_is_rejected_alone_and_kept_without_its_wh(app, developer, value) -> None:
    response = post(app, developer, delta((1, 400), (2, value), (3, 500)))
    assert statuses(response) == [("baseline", "first_read"), ("rejected", "value_out_of_range"), ("accepted", None)]
    assert stored() == (2, 1)
    with platform.current().db.unit_of_work() as session:
        rejected = session.scalars(select(RejectedRead)).one()
    assert (rejected.period_end, rejected.value_wh, rejected.energy_wh) == (datetime.fromisoformat(at(2)), None, None)
