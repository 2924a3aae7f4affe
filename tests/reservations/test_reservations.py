"""Reservation rules (R-RES-1 … R-RES-3): who may reserve, when, and device exclusivity in the database."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from dapp import platform
from dapp.accounts.models import OrganizationType
from dapp.errors import Conflict
from tests.factories.accounts import make_org
from tests.factories.devices import make_device
from tests.factories.reservations import make_reservation

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def market(app):
    platform.current().clock.set(NOW)
    developer = make_org("Dev")
    devices = [make_device(developer, f"D{i}") for i in range(2)]
    buyer = make_org("Buyer", OrganizationType.BUYER)
    return developer, devices, buyer


def reserve(app, org, devices, start=NOW, end=NOW + timedelta(days=30), **extra):
    return app.test_client().post(
        "/api/v1/reservations",
        headers=org.auth,
        json={
            "name": extra.pop("name", "R"),
            "start": start.isoformat(),
            "end": end.isoformat(),
            "frequency": "daily",
            "authority_to_exceed": True,
            "device_ids": [str(d.id) for d in devices],
            **extra,
        },
    )


def test_only_buyers_reserve(app, market) -> None:
    developer, devices, _ = market
    response = reserve(app, developer, devices)
    assert (response.status_code, response.json["code"]) == (403, "not_a_buyer")


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (NOW, NOW, "end_before_start"),
        (NOW - timedelta(days=366), NOW, "start_too_old"),
    ],
)
def test_period_rules(app, market, start, end, code) -> None:
    _, devices, buyer = market
    response = reserve(app, buyer, devices, start=start, end=end)
    assert response.status_code == 422
    assert response.json["errors"][0]["code"] == code


def test_a_target_is_required_without_authority_to_exceed(app, market) -> None:
    _, devices, buyer = market
    response = reserve(app, buyer, devices, authority_to_exceed=False)
    assert response.json["errors"][0]["code"] == "target_required"


def test_a_reserved_device_cannot_be_reserved_again(app, market) -> None:
    _, devices, buyer = market
    assert reserve(app, buyer, devices[:1]).status_code == 201
    second = reserve(app, buyer, devices, name="Other")
    assert (second.status_code, second.json["code"]) == (409, "device_unavailable")
    assert second.json["device_ids"] == [str(devices[0].id)]
    assert [d["external_id"] for d in app.test_client().get("/api/v1/device-catalogue", headers=buyer.auth).json] == [
        "D1"
    ]


def test_reservation_names_are_unique_per_buyer(app, market) -> None:
    _, devices, buyer = market
    reserve(app, buyer, devices[:1], name="Kenya")
    assert reserve(app, buyer, devices[1:], name="KENYA").status_code == 409


def test_two_buyers_reserving_the_same_device_at_once_cannot_both_win(app, market) -> None:
    _, devices, first_buyer = market
    second_buyer = make_org("Second Buyer", OrganizationType.BUYER)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(buyer, name) -> None:
        barrier.wait()
        try:
            make_reservation(buyer, devices, NOW, NOW + timedelta(days=10), name=name)
            outcomes.append("won")
        except Conflict:
            outcomes.append("lost")

    threads = [threading.Thread(target=attempt, args=(b, n)) for b, n in ((first_buyer, "A"), (second_buyer, "B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lost", "won"]
