"""Clear-sky check and its review (R-READ-8), yields per country (R-READ-7), meter replacement (R-READ-5),
the energy ledger (R-READ-13) and the reads list (R-READ-10, R-TZ-2)."""

from datetime import timedelta

from sqlalchemy import func, select

from dapp import platform
from dapp.models.devices import Device
from dapp.models.reads import RejectedRead
from dapp.reads.service.ledger import rejected_sums
from tests.factories.accounts import make_platform_admin, signed_in
from tests.factories.devices import make_device
from tests.factories.reads import ongoing, post_reads, stored_reads
from tests.reads.conftest import ONBOARDED, at
from tests.support.plans import partitions_of, planned_relations


def test_energy_at_night_is_flagged_stored_and_not_accepted(app, developer) -> None:
    # [19:00, 20:00) UTC is 22:00-23:00 in Nairobi: no sun, so any energy is physically impossible
    response = post_reads(app, developer, ongoing("delta", (at(9), 0), (at(10), 300)))
    flagged = response.json["results"][1]
    assert (flagged["status"], flagged["reason_code"], flagged["clear_sky_wh"]) == ("flagged", "exceeds_clear_sky", 0)
    assert [r.status for r in stored_reads()] == ["baseline", "flagged"]


def test_daylight_energy_within_the_clear_sky_limit_is_accepted_with_the_limit_recorded(app, developer) -> None:
    response = post_reads(app, developer, ongoing("delta", (at(0.25), 0), (at(1), 1_000)))
    accepted = response.json["results"][1]
    assert accepted["status"] == "accepted"
    assert 1_000 < accepted["clear_sky_wh"] < 10_000
    read = stored_reads()[1]
    assert (read.clear_sky_rule, read.location_source, read.clear_sky_wh) == (
        "clear-sky/1",
        "device",
        accepted["clear_sky_wh"],
    )


def test_a_device_without_coordinates_is_checked_at_its_country_centroid_and_says_so(app, developer) -> None:
    platform.current().clock.set(ONBOARDED)
    make_device(developer, "NO-GPS", latitude=None, longitude=None)
    platform.current().clock.set(ONBOARDED + timedelta(days=2))
    post_reads(app, developer, ongoing("delta", (at(0.25), 0), (at(1), 1_000)), external_id="NO-GPS")
    assert stored_reads()[1].location_source == "country_centroid"


def review(app, read_id: int, decision: str):
    make_platform_admin()
    admin = signed_in(app, "operator@platform.example")
    return admin.api("POST", f"/api/v1/admin/flagged-reads/{read_id}/review", {"decision": decision})


def test_a_platform_admin_accepts_a_flagged_read_which_becomes_certifiable(app, developer) -> None:
    post_reads(app, developer, ongoing("delta", (at(9), 0), (at(10), 300)))
    flagged = stored_reads()[1]
    response = review(app, flagged.id, "accept")
    assert response.status_code == 200, response.json
    read = stored_reads()[1]
    assert (read.status, read.reviewed_by_id is not None) == ("accepted", True)


def test_a_dismissed_read_is_never_accepted_and_a_second_decision_is_refused(app, developer) -> None:
    post_reads(app, developer, ongoing("delta", (at(9), 0), (at(10), 300)))
    read_id = stored_reads()[1].id
    assert review(app, read_id, "dismiss").json["status"] == "dismissed"
    admin = signed_in(app, "operator@platform.example")
    again = admin.api("POST", f"/api/v1/admin/flagged-reads/{read_id}/review", {"decision": "accept"})
    assert (again.status_code, again.json["code"]) == (409, "not_flagged")


def test_only_platform_admins_review_flagged_reads(app, developer) -> None:
    response = app.test_client().post(
        "/api/v1/admin/flagged-reads/1/review", json={"decision": "accept"}, headers=developer.auth
    )
    assert response.status_code in (401, 403)


def test_a_configured_policy_accepts_reads_a_little_over_the_clear_sky_limit(app, settings, developer) -> None:
    settings.flagged_auto_accept_ratio = 1_000_000.0
    try:
        response = post_reads(app, developer, ongoing("delta", (at(9), 0), (at(10), 300)))
    finally:
        settings.flagged_auto_accept_ratio = None
    # with a limit of 0 Wh nothing is "a little over": the policy multiplies the limit, so night energy stays flagged
    assert response.json["results"][1]["status"] == "flagged"
    settings.flagged_auto_accept_ratio = 1.5
    try:
        platform.current().clock.set(ONBOARDED + timedelta(days=2))
        post = post_reads(app, developer, ongoing("delta", (at(10.5) + timedelta(days=1), 0)))
    finally:
        settings.flagged_auto_accept_ratio = None
    assert post.status_code == 200


def test_the_country_yield_set_by_a_platform_admin_is_used_and_recorded(app, developer) -> None:
    make_platform_admin()
    admin = signed_in(app, "operator@platform.example")
    assert admin.api("PUT", "/api/v1/admin/country-yields/ken", {"yield_kwh_per_kwp": "1000"}).status_code == 200
    # 5 kW × 1000 × 1000/8760 × 1 h × 1.2 = 684 Wh at most
    response = post_reads(app, developer, ongoing("delta", (at(0.25), 0), (at(1.25), 685), (at(2.25), 684)))
    assert [r["status"] for r in response.json["results"]] == ["baseline", "rejected", "accepted"]
    assert response.json["results"][1]["max_energy_wh"] == 684
    assert response.json["results"][2]["max_energy_wh"] == 1_369  # two hours since the last accepted read
    read = stored_reads()[1]
    assert (read.yield_source, read.yield_kwh_per_kwp) == ("country", 1000)


def test_members_cannot_change_country_yields(app, developer) -> None:
    response = app.test_client().put(
        "/api/v1/admin/country-yields/KEN", json={"yield_kwh_per_kwp": "1000"}, headers=developer.auth
    )
    assert response.status_code in (401, 403)


def test_a_meter_replacement_makes_the_next_aggregate_read_a_new_baseline(app, developer) -> None:
    post_reads(app, developer, ongoing("aggregate", (at(0.25), 50_000), (at(1), 50_900)))
    replaced = app.test_client().post(
        "/api/v1/devices/DEV-1/meter-replacements",
        json={"replaced_at": at(2).isoformat(), "final_value": 51_500},
        headers=developer.auth,
    )
    assert replaced.status_code == 201, replaced.json
    after = post_reads(app, developer, ongoing("aggregate", (at(3), 10), (at(4), 700)))
    assert [(r["status"], r.get("reason_code")) for r in after.json["results"]] == [
        ("baseline", "meter_replaced"),
        ("accepted", None),
    ]
    energies = [r.energy_wh for r in stored_reads() if r.status == "accepted"]
    assert energies == [900, 600, 690]  # the old meter's last 600 Wh is kept; nothing is lost across the swap


def test_a_meter_replacement_needs_an_aggregate_meter(app, developer) -> None:
    post_reads(app, developer, ongoing("delta", (at(0.25), 0)))
    response = app.test_client().post(
        "/api/v1/devices/DEV-1/meter-replacements", json={"replaced_at": at(1).isoformat()}, headers=developer.auth
    )
    assert (response.status_code, response.json["code"]) == (422, "not_an_aggregate_meter")


def ledger(app, org, start, end) -> dict:
    response = app.test_client().get(
        "/api/v1/devices/DEV-1/ledger",
        query_string={"from": start.isoformat(), "to": end.isoformat()},
        headers=org.auth,
    )
    assert response.status_code == 200, response.json
    return response.json


def test_the_ledger_accounts_for_every_reported_wh(app, developer) -> None:
    post_reads(
        app,
        developer,
        ongoing("delta", (at(0.25), 70), (at(1), 1_000), (at(2), 99_999), (at(3), 800), (at(10), 5), (at(11), 7)),
    )
    whole = ledger(app, developer, ONBOARDED, ONBOARDED + timedelta(days=1))
    waiting = whole["waiting"]
    assert (waiting["baseline_wh"], waiting["not_reserved_wh"], waiting["flagged_wh"]) == (70, 1_805, 7)
    assert whole["rejected_wh"] == 99_999
    assert whole["reported_wh"] == whole["certified_wh"] + waiting["total_wh"] + whole["rejected_wh"]
    # adjacent periods add up to their union, to the Wh
    cut = at(1) + timedelta(minutes=20)
    left, right = ledger(app, developer, ONBOARDED, cut), ledger(app, developer, cut, ONBOARDED + timedelta(days=1))
    assert left["reported_wh"] + right["reported_wh"] == whole["reported_wh"]
    assert left["waiting"]["not_reserved_wh"] + right["waiting"]["not_reserved_wh"] == 1_805


def test_a_rejected_read_sent_again_is_not_counted_twice(app, developer) -> None:
    post_reads(app, developer, ongoing("delta", (at(0.25), 70), (at(1), 1_000), (at(2), 99_999)))
    post_reads(app, developer, ongoing("delta", (at(2), 900)))  # the same read, corrected and sent again
    whole = ledger(app, developer, ONBOARDED, ONBOARDED + timedelta(days=1))
    assert whole["reported_wh"] == 70 + 1_000 + 900
    assert (whole["rejected_wh"], whole["rejected_reads"]) == (0, 0)
    assert (whole["resent_wh"], whole["resent_reads"]) == (99_999, 1)
    assert whole["reported_wh"] == whole["certified_wh"] + whole["waiting"]["total_wh"] + whole["rejected_wh"]


def test_the_ledger_looks_for_re_sent_reads_in_the_partitions_of_its_period_alone(app, developer) -> None:
    """A period ending where the re-sent read ends still holds it; the plan reads June's partition and no other
    month's (every month's, before: its cost grew with the months stored)."""
    post_reads(app, developer, ongoing("delta", (at(0.25), 70), (at(1), 1_000), (at(2), 99_999)))
    post_reads(app, developer, ongoing("delta", (at(2), 900)))
    edge = ledger(app, developer, ONBOARDED, at(2))
    assert (edge["resent_wh"], edge["resent_reads"], edge["rejected_reads"]) == (99_999, 1, 0)
    with platform.current().db.unit_of_work() as session:
        device_id = session.scalar(select(Device.id).where(Device.external_id == "DEV-1"))
        statement = rejected_sums(device_id, ONBOARDED, ONBOARDED + timedelta(days=1))
        assert partitions_of(planned_relations(session, statement)) == {"m2026_06"}


def test_a_read_with_unreadable_times_is_rejected_once_in_the_period_it_was_received(app, developer) -> None:
    body = ongoing("delta", (at(0.25), 70), (at(1), 1_000))
    body["reads"].append({"end": "yesterday at noon", "value": 450})
    assert post_reads(app, developer, body).json["results"][2]["reason_code"] == "bad_timestamp"
    unreadable_aggregate = {"type": "aggregate", "unit": "Wh", "reads": [{"end": "soon", "value": 9_000}]}
    nowhere = {"external_id": "NOPE", **ongoing("delta", (at(2), 5))}
    batch = {"devices": [{"external_id": "DEV-1", **unreadable_aggregate}, nowhere]}
    response = app.test_client().post("/api/v1/reads", json=batch, headers=developer.auth)
    assert [d["results"][0]["reason_code"] for d in response.json["devices"]] == ["bad_timestamp", "device_not_found"]
    assert rejected_rows() == [("bad_timestamp", 450, 450), ("bad_timestamp", 9_000, None)]  # NOPE's is not stored
    with platform.current().db.unit_of_work() as session:
        received = session.scalar(select(func.min(RejectedRead.received_at)))
    whole = ledger(app, developer, ONBOARDED, at(100))
    assert (whole["rejected_wh"], whole["rejected_reads"]) == (450, 2)  # an aggregate read claims no energy
    assert whole["reported_wh"] == 70 + 1_000 + 450
    assert whole["reported_wh"] == whole["certified_wh"] + whole["waiting"]["total_wh"] + whole["rejected_wh"]
    before, after = ledger(app, developer, ONBOARDED, received), ledger(app, developer, received, at(100))
    assert (before["rejected_reads"], after["rejected_reads"]) == (0, 2)
    assert (before["reported_wh"], after["reported_wh"]) == (70 + 1_000, 450)


def rejected_rows() -> list[tuple[str, int | None, int | None]]:
    with platform.current().db.unit_of_work() as session:
        rows = session.execute(select(RejectedRead.reason_code, RejectedRead.value_wh, RejectedRead.energy_wh))
        return sorted(tuple(row) for row in rows)


def test_the_reads_list_shows_local_and_utc_times_and_rejections(app, developer) -> None:
    post_reads(app, developer, ongoing("delta", (at(0.25), 70), (at(1), 1_000), (at(2), 99_999)))
    response = app.test_client().get(
        "/api/v1/devices/DEV-1/reads", query_string={"from": "2026-06-01", "to": "2026-06-01"}, headers=developer.auth
    )
    assert response.status_code == 200, response.json
    items = response.json["items"]
    assert [i["status"] for i in items] == ["baseline", "accepted", "rejected"]
    assert items[1]["end_local"] == "2026-06-01 14:00 Africa/Nairobi"
    assert items[1]["end_utc"].startswith("2026-06-01T11:00")
    assert items[2]["reason_code"] == "exceeds_max_energy"


def test_the_reads_list_needs_both_dates(app, developer) -> None:
    response = app.test_client().get(
        "/api/v1/devices/DEV-1/reads", query_string={"from": "2026-06-01"}, headers=developer.auth
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "to"


def test_a_final_register_no_column_holds_refuses_the_replacement_and_stores_nothing(app, developer) -> None:
    post_reads(app, developer, ongoing("aggregate", (at(0.25), 50_000)))
    response = app.test_client().post(
        "/api/v1/devices/DEV-1/meter-replacements",
        json={"replaced_at": at(2).isoformat(), "final_value": 10**20},
        headers=developer.auth,
    )
    assert (response.status_code, response.json["code"]) == (422, "batch_rejected")
    assert response.json["results"][0][0]["reason_code"] == "value_out_of_range"
    assert len(stored_reads()) == 1
