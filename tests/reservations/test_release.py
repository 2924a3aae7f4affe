"""Releasing devices (R-RES-6): automatic by the periodic job; by hand only when that failed; never out of a
running reservation."""

from datetime import datetime, timedelta

from sqlalchemy import select

from dapp import platform
from dapp.models.chain import OutboxEntry, OutboxKind
from dapp.models.reservations import ChangeKind, Reservation, ReservationChange, ReservationDevice
from dapp.reservations.service.availability import RELEASE_GRACE
from tests.factories.accounts import make_api_key, make_platform_admin, signed_in
from tests.reservations.conftest import NOW
from tests.reservations.support import call, reserve
from tests.support.workers import run_jobs, scheduler_tick

END = NOW + timedelta(days=2)


def tick_at(instant: datetime) -> None:
    platform.current().clock.set(instant)
    scheduler_tick()
    run_jobs()


def release(app, org, device):
    return call(app, org, "POST", f"/api/v1/reserved-devices/{device.id}/release")


def test_the_periodic_job_ends_the_reservation_at_its_end_time_and_releases_its_devices(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices, end=END).json
    tick_at(END - timedelta(minutes=1))
    with platform.current().db.unit_of_work() as session:
        assert session.scalars(select(ReservationDevice.released_at)).all() == [None, None]
    tick_at(END + timedelta(minutes=1))
    with platform.current().db.unit_of_work() as session:
        assert session.get_one(Reservation, reservation["id"]).ended_at == END
        released = session.scalars(select(ReservationDevice.released_at)).all()
        assert all(END < at < END + timedelta(minutes=2) for at in released)
        [ended] = session.scalars(select(ReservationChange).where(ReservationChange.kind == ChangeKind.ENDED))
        assert ended.ended_at == END
        assert session.get_one(OutboxEntry, ended.outbox_entry_id).kind == OutboxKind.LOG_RESERVATION_ENDED
    tick_at(END + timedelta(minutes=2))  # idempotent: nothing ends or is released twice
    with platform.current().db.unit_of_work() as session:
        assert len(session.scalars(select(ReservationChange)).all()) == 2


def test_developers_cannot_take_a_device_out_of_a_running_reservation(app, market) -> None:
    reserve(app, market.buyer, market.devices, end=END)
    response = release(app, market.developer, market.devices[0])
    assert (response.status_code, response.json["code"]) == (409, "device_in_active_reservation")


def test_manual_release_waits_for_the_automatic_one(app, market) -> None:
    reserve(app, market.buyer, market.devices, end=END)
    platform.current().clock.set(END + timedelta(minutes=5))  # the job has not run yet
    response = release(app, market.developer, market.devices[0])
    assert (response.status_code, response.json["code"]) == (409, "automatic_release_pending")
    assert datetime.fromisoformat(response.json["manual_release_from"]) == END + RELEASE_GRACE


def test_a_developer_releases_a_device_by_hand_when_automatic_release_failed(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices, end=END).json
    platform.current().clock.set(END + RELEASE_GRACE + timedelta(minutes=1))  # no job ran for an hour
    listed = call(app, market.developer, "GET", "/api/v1/reserved-devices").json
    assert {row["external_id"]: row["manual_release_allowed"] for row in listed} == {"SUN-1": True, "SUN-2": True}
    response = release(app, market.developer, market.devices[0])
    assert response.status_code == 200, response.json
    assert response.json["reservation_ids"] == [reservation["id"]]
    again = release(app, market.developer, market.devices[0])
    assert (again.status_code, again.json["code"]) == (409, "device_not_reserved")


def test_manual_release_needs_update_or_delete_on_devices(app, market) -> None:
    reserve(app, market.buyer, market.devices, end=END)
    platform.current().clock.set(END + RELEASE_GRACE + timedelta(minutes=1))
    reader = make_api_key(market.developer.actor, {"devices": ["READ", "WRITE"]}, "reader")
    refused = app.test_client().post(
        f"/api/v1/reserved-devices/{market.devices[0].id}/release", headers={"Authorization": f"Bearer {reader}"}
    )
    assert (refused.status_code, refused.json["code"]) == (403, "permission_missing")
    deleter = make_api_key(market.developer.actor, {"devices": ["DELETE"]}, "deleter")
    allowed = app.test_client().post(
        f"/api/v1/reserved-devices/{market.devices[0].id}/release", headers={"Authorization": f"Bearer {deleter}"}
    )
    assert allowed.status_code == 200, allowed.json


def test_a_developer_cannot_release_another_organizations_device(app, market) -> None:
    reserve(app, market.buyer, market.other_devices, end=END)
    platform.current().clock.set(END + RELEASE_GRACE + timedelta(minutes=1))
    response = release(app, market.developer, market.other_devices[0])
    assert (response.status_code, response.json["code"]) == (404, "device_not_found")


def test_a_platform_admin_releases_any_device_whose_automatic_release_failed(app, market) -> None:
    reserve(app, market.buyer, market.other_devices, end=END)
    admin = make_platform_admin()
    platform.current().clock.set(END + RELEASE_GRACE + timedelta(minutes=1))
    operator = signed_in(app, admin.email)
    response = operator.api("POST", f"/api/v1/admin/reserved-devices/{market.other_devices[0].id}/release")
    assert response.status_code == 200, response.json
    with platform.current().db.unit_of_work() as session:
        assert session.scalars(select(ReservationDevice.released_at)).one() is not None
