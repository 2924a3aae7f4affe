"""Registration of device groups by the platform at the registry (R-IREC-4), against the simulator process."""

from datetime import UTC, datetime, timedelta

import pytest

from dapp import platform
from dapp.irec.registry import HttpRegistry
from dapp.irec.service import registration
from dapp.models.accounts import OrganizationType
from scripts.devstack import free_port
from tests.factories.accounts import make_org, make_platform_admin, signed_in
from tests.factories.devices import make_device
from tests.factories.irec import admin_actor, approve_groups, group_of
from tests.factories.reservations import make_reservation
from tests.support import irec

T0 = datetime(2026, 6, 1, tzinfo=UTC)
OPERATOR = "operator@platform.example"


@pytest.fixture(autouse=True)
def _registry_defaults(app) -> None:
    platform.current().clock.set(T0)
    irec.reset()


def test_an_admin_submits_a_group_and_the_developer_sees_it_approved(app) -> None:
    sunny = make_org("Sunny Developers")
    device = make_device(sunny, "ROOF-1")
    group = group_of(device)
    make_platform_admin(OPERATOR)
    operator = signed_in(app, OPERATOR)
    queue = operator.api("GET", "/api/v1/admin/irec/device-groups").json["items"]
    assert [(g["id"], g["registration_status"]) for g in queue] == [(str(group.id), "not_registered")]
    submitted = operator.api("POST", f"/api/v1/admin/irec/device-groups/{group.id}/submit")
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["registration_status"] == "submitted"
    assert irec.sync()["registrations_decided"] == 1
    [seen] = app.test_client().get("/api/v1/irec/device-groups", headers=sunny.auth).json["items"]
    assert seen["registration_status"] == "approved"
    assert seen["registry_id"]


def test_developers_never_submit_to_the_registry(app) -> None:
    sunny = make_org("Sunny Developers")
    group = group_of(make_device(sunny, "ROOF-1"))
    answer = app.test_client().post(f"/api/v1/admin/irec/device-groups/{group.id}/submit", headers=sunny.auth)
    assert answer.status_code in (401, 403)
    assert group_of(make_device(sunny, "ROOF-2")).registration_status == "not_registered"


def test_a_rejection_shows_the_registry_reason_and_the_group_can_be_submitted_again(app) -> None:
    sunny = make_org("Sunny Developers")
    device = make_device(sunny, "ROOF-1")
    irec.behave(reject_with="Metering evidence missing for ROOF-1")
    [group_id] = submit_and_sync(device)
    group = group_of(device)
    assert (group.registration_status, group.registration_reason) == (
        "rejected",
        "Metering evidence missing for ROOF-1",
    )
    notices = app.test_client().get("/api/v1/notifications", headers=sunny.auth).json["items"]
    assert [n["kind"] for n in notices] == ["irec.group_rejected"]
    assert "Metering evidence missing for ROOF-1" in notices[0]["body"]
    irec.reset()
    p = platform.current()
    with p.db.unit_of_work() as session:
        again = registration.submit(session, admin_actor(), p.clock.now(), group_id)
        assert again.registration_round == 2
    irec.sync()
    assert group_of(device).registration_status == "approved"


def submit_and_sync(device) -> list:
    """Submit the device's group and run the registry job once; returns the group's id in a list."""
    p = platform.current()
    group_id = group_of(device).id
    with p.db.unit_of_work() as session:
        registration.submit(session, admin_actor(), p.clock.now(), group_id)
    irec.sync()
    return [group_id]


def test_a_submitted_group_cannot_be_submitted_twice(app) -> None:
    group = group_of(make_device(make_org("Sunny Developers"), "ROOF-1"))
    irec.behave(approval_delay_seconds=3600)
    make_platform_admin(OPERATOR)
    operator = signed_in(app, OPERATOR)
    assert operator.api("POST", f"/api/v1/admin/irec/device-groups/{group.id}/submit").status_code == 200
    again = operator.api("POST", f"/api/v1/admin/irec/device-groups/{group.id}/submit")
    assert again.status_code == 409
    assert again.json["code"] == "group_already_submitted"


def test_a_registry_that_does_not_answer_leaves_the_group_submitted_until_it_does(app) -> None:
    device = make_device(make_org("Sunny Developers"), "ROOF-1")
    group_id = group_of(device).id
    p = platform.current()
    with p.db.unit_of_work() as session:
        registration.submit(session, admin_actor(), p.clock.now(), group_id)
    down = HttpRegistry(f"http://127.0.0.1:{free_port()}", p.settings.irec_registry_token, timeout_seconds=1)
    with p.db.unit_of_work() as session:
        assert registration.follow(session, down, p.clock.now(), group_id) == "submitted"
    assert group_of(device).registry_id is None
    irec.sync()
    assert group_of(device).registration_status == "approved"


def test_an_irec_reservation_accepts_only_devices_of_approved_groups(app) -> None:
    sunny = make_org("Sunny Developers")
    approved, pending = make_device(sunny, "OK-1"), make_device(sunny, "WAIT-1", device_type_code="TC110")
    approve_groups(approved)
    buyer = make_org("Green Buyer", OrganizationType.BUYER)
    body = {
        "name": "I-REC please",
        "start": (T0 + timedelta(days=1)).isoformat(),
        "end": (T0 + timedelta(days=30)).isoformat(),
        "frequency": "daily",
        "authority_to_exceed": True,
        "standard": "I-REC",
        "device_ids": [str(approved.id), str(pending.id)],
    }
    refused = app.test_client().post("/api/v1/reservations", headers=buyer.auth, json=body)
    assert refused.status_code == 409
    assert refused.json["code"] == "devices_not_irec_approved"
    assert refused.json["device_ids"] == [str(pending.id)]
    assert "WAIT-1 (not_registered)" in refused.json["detail"]
    created = app.test_client().post(
        "/api/v1/reservations", headers=buyer.auth, json={**body, "device_ids": [str(approved.id)]}
    )
    assert created.status_code == 201, created.json


def test_adding_an_unapproved_device_to_an_irec_reservation_is_refused(app) -> None:
    sunny = make_org("Sunny Developers")
    approved, pending = make_device(sunny, "OK-1"), make_device(sunny, "WAIT-1", device_type_code="TC110")
    approve_groups(approved)
    buyer = make_org("Green Buyer", OrganizationType.BUYER)
    reservation = make_reservation(buyer, [approved], T0 + timedelta(days=1), T0 + timedelta(days=30), standard="I-REC")
    answer = app.test_client().patch(
        f"/api/v1/reservations/{reservation.id}", headers=buyer.auth, json={"add_device_ids": [str(pending.id)]}
    )
    assert answer.status_code == 409
    assert answer.json["code"] == "devices_not_irec_approved"


def test_a_drec_reservation_takes_devices_without_any_registration(app) -> None:
    device = make_device(make_org("Sunny Developers"), "ROOF-1")
    buyer = make_org("Green Buyer", OrganizationType.BUYER)
    reservation = make_reservation(buyer, [device], T0 + timedelta(days=1), T0 + timedelta(days=30))
    assert reservation.standard == "D-REC"
