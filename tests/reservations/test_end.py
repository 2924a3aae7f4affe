"""Ending and deleting a reservation (R-RES-6)."""

from datetime import UTC, datetime

from sqlalchemy import select

from dapp import platform
from dapp.models.issuance import Certificate
from dapp.models.reservations import Reservation, ReservationDevice
from tests.factories.accounts import make_api_key
from tests.reservations.support import call, certify_until, reserve, send_daylight_reads


def end(app, org, reservation_id: str):
    return call(app, org, "DELETE", f"/api/v1/reservations/{reservation_id}")


def test_a_reservation_that_issued_nothing_is_deleted_and_frees_its_devices_and_name(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices, name="Kenya").json
    response = end(app, market.buyer, reservation["id"])
    assert response.status_code == 200, response.json
    assert response.json["outcome"] == "deleted"
    assert call(app, market.buyer, "GET", f"/api/v1/reservations/{reservation['id']}").status_code == 404
    assert call(app, market.buyer, "GET", "/api/v1/reservations").json["total"] == 0
    again = reserve(app, market.buyer, market.devices, name="Kenya")  # devices free at once, name free
    assert again.status_code == 201, again.json


def test_delete_after_issuance_ends_the_reservation_at_the_end_of_the_current_window(app, market) -> None:
    device = market.devices[0]
    reservation = reserve(app, market.buyer, [device], timezone="Africa/Nairobi").json
    send_daylight_reads(app, market.developer, device)
    assert certify_until(datetime(2026, 6, 1, 21, tzinfo=UTC)) == 1  # midnight in Nairobi
    platform.current().clock.set(datetime(2026, 6, 2, 9, tzinfo=UTC))
    response = end(app, market.buyer, reservation["id"])
    assert response.status_code == 200, response.json
    window_end = datetime(2026, 6, 2, 21, tzinfo=UTC)
    assert response.json["outcome"] == "ended"
    assert datetime.fromisoformat(response.json["ended_at"]) == window_end
    with platform.current().db.unit_of_work() as session:
        stored = session.get_one(Reservation, reservation["id"])
        assert (stored.deleted_at, stored.ended_at) == (None, window_end)
        assert session.scalars(select(ReservationDevice.active_until)).all() == [window_end]
        assert session.scalars(select(Certificate.reservation_id)).all() == [stored.id]
    assert call(app, market.buyer, "GET", f"/api/v1/reservations/{reservation['id']}").json["status"] == "active"
    again = end(app, market.buyer, reservation["id"])
    assert (again.status_code, again.json["code"]) == (409, "reservation_ended")


def test_issuance_stops_at_the_end(app, market) -> None:
    device = market.devices[0]
    reservation = reserve(app, market.buyer, [device]).json
    send_daylight_reads(app, market.developer, device)
    certify_until(datetime(2026, 6, 2, tzinfo=UTC))
    platform.current().clock.set(datetime(2026, 6, 2, 9, tzinfo=UTC))
    end(app, market.buyer, reservation["id"])
    certify_until(datetime(2026, 6, 10, tzinfo=UTC))
    with platform.current().db.unit_of_work() as session:
        stored = session.get_one(Reservation, reservation["id"])
        assert stored.issued_until == datetime(2026, 6, 3, tzinfo=UTC)


def test_other_organizations_cannot_end_a_reservation(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices).json
    response = end(app, market.developer, reservation["id"])
    assert (response.status_code, response.json["code"]) == (403, "permission_missing")  # not a buyer (R-ACC-5)


def test_ending_needs_the_delete_permission(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices).json
    key = make_api_key(market.buyer.actor, {"reservations": ["READ", "WRITE", "UPDATE"]})
    response = app.test_client().delete(
        f"/api/v1/reservations/{reservation['id']}", headers={"Authorization": f"Bearer {key}"}
    )
    assert (response.status_code, response.json["code"]) == (403, "permission_missing")
    assert response.json["permission"] == "DELETE"
