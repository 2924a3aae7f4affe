"""Changing a reservation's devices (R-RES-5): additions now, removals at the end of the current window, a fixed
frequency, and nobody but the buyer."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from dapp import platform
from dapp.models.reservations import ReservationDevice
from tests.factories.devices import make_device
from tests.reservations.conftest import NOW
from tests.reservations.support import call, reserve

LATER = NOW + timedelta(days=3, hours=5, minutes=20)  # 2026-06-04 17:20 UTC


def memberships(reservation_id: str) -> dict[str, ReservationDevice]:
    with platform.current().db.unit_of_work() as session:
        rows = session.scalars(select(ReservationDevice).where(ReservationDevice.reservation_id == reservation_id))
        return {str(m.device_id): m for m in rows}


def patch(app, org, reservation_id: str, **body):
    return call(app, org, "PATCH", f"/api/v1/reservations/{reservation_id}", body)


def test_additions_count_from_now_and_removals_from_the_end_of_the_current_window(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices, timezone="Africa/Nairobi").json
    platform.current().clock.set(LATER)
    response = patch(
        app,
        market.buyer,
        reservation["id"],
        add_device_ids=[str(market.other_devices[0].id)],
        remove_device_ids=[str(market.devices[0].id)],
    )
    assert response.status_code == 200, response.json
    assert sorted(response.json["device_ids"]) == sorted(
        str(d.id) for d in (market.devices[1], market.other_devices[0])
    )
    members = memberships(reservation["id"])
    added = members[str(market.other_devices[0].id)]
    assert LATER <= added.active_from < LATER + timedelta(seconds=30)
    removed = members[str(market.devices[0].id)]
    # daily windows in Nairobi (UTC+3): the current one ends at 2026-06-05 00:00 local = 2026-06-04 21:00 UTC
    assert removed.active_until == datetime(2026, 6, 4, 21, tzinfo=UTC)
    assert removed.removed_at is not None
    assert members[str(market.devices[1].id)].active_until == NOW + timedelta(days=30)


def test_removal_in_an_hourly_reservation_ends_with_the_hour(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices, frequency="hourly").json
    platform.current().clock.set(LATER)
    patch(app, market.buyer, reservation["id"], remove_device_ids=[str(market.devices[0].id)])
    assert memberships(reservation["id"])[str(market.devices[0].id)].active_until == datetime(
        2026, 6, 4, 18, tzinfo=UTC
    )


def test_removal_before_the_reservation_begins_frees_the_device_at_once(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices, start=NOW + timedelta(days=10)).json
    patch(app, market.buyer, reservation["id"], remove_device_ids=[str(market.devices[0].id)])
    assert str(market.devices[0].id) not in memberships(reservation["id"])
    assert reserve(app, market.buyer, market.devices[:1], name="Elsewhere").status_code == 201


def test_adding_back_a_device_whose_removal_is_pending_keeps_it(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices).json
    device = str(market.devices[0].id)
    patch(app, market.buyer, reservation["id"], remove_device_ids=[device])
    response = patch(app, market.buyer, reservation["id"], add_device_ids=[device])
    assert response.status_code == 200, response.json
    member = memberships(reservation["id"])[device]
    assert (member.active_from, member.active_until, member.removed_at) == (NOW, NOW + timedelta(days=30), None)


def test_the_frequency_cannot_change(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices, frequency="weekly").json
    response = patch(app, market.buyer, reservation["id"], frequency="monthly")
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json["errors"]] == [("frequency", "frequency_immutable")]
    assert "weekly" in response.json["detail"]


def test_sending_the_same_frequency_back_is_not_a_change(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices[:1]).json
    response = patch(
        app, market.buyer, reservation["id"], frequency="daily", add_device_ids=[str(market.devices[1].id)]
    )
    assert response.status_code == 200, response.json


def test_an_unavailable_device_cannot_be_added(app, market) -> None:
    reserve(app, market.buyer, market.devices[:1], name="Other")
    reservation = reserve(app, market.buyer, market.devices[1:]).json
    response = patch(app, market.buyer, reservation["id"], add_device_ids=[str(market.devices[0].id)])
    assert (response.status_code, response.json["code"]) == (409, "device_unavailable")
    assert response.json["device_ids"] == [str(market.devices[0].id)]


def test_requests_that_change_nothing_or_make_no_sense_are_refused(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices[:1]).json
    stranger = make_device(market.developer, "SUN-3")
    cases = [
        ({}, "nothing_to_change"),
        ({"add_device_ids": [str(market.devices[0].id)]}, "already_in_reservation"),
        ({"remove_device_ids": [str(stranger.id)]}, "not_in_reservation"),
        ({"remove_device_ids": [str(market.devices[0].id)]}, "no_devices_left"),
        ({"add_device_ids": [str(stranger.id)], "remove_device_ids": [str(stranger.id)]}, "added_and_removed"),
    ]
    for body, code in cases:
        response = patch(app, market.buyer, reservation["id"], **body)
        assert (response.status_code, response.json["code"]) == (422, code), body


def test_developers_cannot_change_a_buyers_reservation(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices).json
    response = patch(app, market.developer, reservation["id"], remove_device_ids=[str(market.devices[0].id)])
    # a developer organization never holds the reservations module (R-ACC-5)
    assert (response.status_code, response.json["code"]) == (403, "permission_missing")
    assert memberships(reservation["id"])[str(market.devices[0].id)].removed_at is None


def test_an_ended_reservation_cannot_change(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices[:1], end=NOW + timedelta(days=1)).json
    platform.current().clock.set(NOW + timedelta(days=2))
    response = patch(app, market.buyer, reservation["id"], add_device_ids=[str(market.devices[1].id)])
    assert (response.status_code, response.json["code"]) == (409, "reservation_ended")
