"""Registry actions on reads in the audit log (R-ACC-11, issue 18 item 12), with actor and before/after values:
decisions on flagged reads (in the developer's log), country-yield changes (platform level) and meter
replacements (in the developer's log)."""

from sqlalchemy import select

from dapp import platform
from dapp.models.audit import AuditEntry
from tests.factories.accounts import make_platform_admin, signed_in
from tests.factories.reads import ongoing, post_reads, stored_reads
from tests.reads.conftest import at

OPERATOR = "operator@platform.example"


def _entries(action: str) -> list[AuditEntry]:
    with platform.current().db.unit_of_work() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_a_decision_on_a_flagged_read_is_audited_in_the_developers_log(app, developer) -> None:
    post_reads(app, developer, ongoing("delta", (at(9), 0), (at(10), 300)))
    flagged = stored_reads()[1]
    operator = make_platform_admin(OPERATOR)
    body = {"decision": "dismiss", "note": "meter fault at night"}
    review = signed_in(app, OPERATOR).api("POST", f"/api/v1/admin/flagged-reads/{flagged.id}/review", body)
    assert review.status_code == 200
    [entry] = _entries("meter_read.review")
    assert (entry.organization_id, entry.actor_user_id, entry.subject_id) == (
        developer.actor.organization_id,
        operator.id,
        str(flagged.id),
    )
    assert entry.before == {"status": "flagged"}
    assert entry.after["status"] == "dismissed"
    assert entry.after["note"] == "meter fault at night"
    assert (entry.after["device_external_id"], entry.after["energy_wh"]) == ("DEV-1", 300)


def test_country_yield_changes_are_audited_with_the_old_and_new_values(app, developer) -> None:
    operator = make_platform_admin(OPERATOR)
    admin = signed_in(app, OPERATOR)
    for value in ("1000", "1200"):
        assert admin.api("PUT", "/api/v1/admin/country-yields/KEN", {"yield_kwh_per_kwp": value}).status_code == 200
    assert admin.api("DELETE", "/api/v1/admin/country-yields/KEN").status_code == 200
    changes = [(e.action, e.actor_user_id, e.subject_id, e.before, e.after) for e in _entries("country_yield.set")]
    changes += [(e.action, e.actor_user_id, e.subject_id, e.before, e.after) for e in _entries("country_yield.unset")]
    assert changes == [
        ("country_yield.set", operator.id, "KEN", {"yield_kwh_per_kwp": None}, {"yield_kwh_per_kwp": "1000.00"}),
        ("country_yield.set", operator.id, "KEN", {"yield_kwh_per_kwp": "1000.00"}, {"yield_kwh_per_kwp": "1200.00"}),
        ("country_yield.unset", operator.id, "KEN", {"yield_kwh_per_kwp": "1200.00"}, {"yield_kwh_per_kwp": None}),
    ]


def test_a_meter_replacement_is_audited_with_the_register_it_replaced(app, developer) -> None:
    post_reads(app, developer, ongoing("aggregate", (at(0.25), 50_000), (at(1), 50_900)))
    replaced = app.test_client().post(
        "/api/v1/devices/DEV-1/meter-replacements",
        json={"replaced_at": at(2).isoformat(), "final_value": 51_500, "note": "register broken"},
        headers=developer.auth,
    )
    assert replaced.status_code == 201, replaced.json
    [entry] = _entries("device.meter_replace")
    assert entry.organization_id == developer.actor.organization_id
    assert entry.actor_api_key_id is not None  # the developer's key did it
    # before: the old meter's last register (its final read, recorded with the replacement, at 51,500 Wh)
    assert entry.before == {"last_read_end": _iso(at(2)), "last_register_wh": 51_500}
    assert entry.after == {"replaced_at": _iso(at(2)), "final_register_wh": 51_500, "note": "register broken"}


def _iso(instant) -> str:
    return instant.isoformat().replace("+00:00", "Z")
