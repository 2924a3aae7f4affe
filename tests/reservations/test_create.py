"""Creating a reservation (R-RES-1, R-RES-3): every field, every rule broken once, exclusivity in the database."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dapp import platform
from dapp.errors import Conflict
from dapp.models.accounts import Organization, OrganizationType
from dapp.models.reservations import Reservation, ReservationDevice
from dapp.reservations.service.creation import earliest_start
from tests.factories.accounts import make_org
from tests.factories.irec import approve_groups
from tests.factories.reservations import make_reservation
from tests.reservations.conftest import NOW
from tests.reservations.support import call, reserve


def stored(reservation_id: str) -> Reservation:
    with platform.current().db.unit_of_work() as session:
        return session.get_one(Reservation, reservation_id)


def test_creates_a_reservation_with_every_field(app, market) -> None:
    wallet = "0x52908400098527886E0F7030069857D2E4169EE7"
    approve_groups(*market.devices)  # standard I-REC takes devices of approved groups only (R-IREC-4)
    response = reserve(
        app,
        market.buyer,
        market.devices,
        start=NOW - timedelta(days=10),
        end=NOW + timedelta(days=80),
        frequency="monthly",
        target_volume_mwh="12.345678",
        authority_to_exceed=False,
        standard="I-REC",
        wallet_address=wallet.lower(),
        timezone="Africa/Nairobi",
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["target_wh"] == 12_345_678
    assert body["wallet_address"] == wallet  # stored with its checksum
    assert (body["frequency"], body["standard"], body["timezone"]) == ("monthly", "I-REC", "Africa/Nairobi")
    assert body["authority_to_exceed"] is False
    assert sorted(body["device_ids"]) == sorted(str(d.id) for d in market.devices)
    assert body["status"] == "active"
    assert body["unavailable_devices"] == []
    assert stored(body["id"]).period_start == NOW - timedelta(days=10)


def test_the_wallet_defaults_to_the_buyer_organizations_account(app, market) -> None:
    body = reserve(app, market.buyer, market.devices[:1]).json
    with platform.current().db.unit_of_work() as session:
        account = session.get_one(Organization, market.buyer.actor.organization_id).blockchain_address
    assert body["wallet_address"] == account


def test_a_mistyped_checksummed_wallet_is_refused(app, market) -> None:
    response = reserve(
        app, market.buyer, market.devices[:1], wallet_address="0x52908400098527886E0F7030069857D2E4169Ee7"
    )
    assert (response.status_code, response.json["errors"][0]["code"]) == (422, "bad_checksum")


def test_only_buyers_reserve(app, market) -> None:
    response = reserve(app, market.developer, market.devices)
    problem = response.json
    assert (response.status_code, problem["code"], problem["module"]) == (403, "permission_missing", "reservations")


@pytest.mark.parametrize(
    ("start", "end", "errors"),
    [
        (NOW, NOW, [("end", "end_before_start")]),
        (NOW, NOW - timedelta(hours=1), [("end", "end_before_start")]),
        (NOW - timedelta(days=366), NOW, [("start", "start_too_old")]),
        (
            NOW - timedelta(days=500),
            NOW - timedelta(days=400),
            [("start", "start_too_old"), ("end", "end_too_old")],
        ),
    ],
)
def test_period_rules(app, market, start, end, errors) -> None:
    response = reserve(app, market.buyer, market.devices, start=start, end=end)
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json["errors"]] == errors


def test_back_dating_goes_back_twelve_calendar_months(app, market) -> None:
    year_ago = platform.current().clock.now().replace(year=2025)  # the clock runs on from NOW
    minute = timedelta(minutes=1)
    assert reserve(app, market.buyer, market.devices[:1], start=year_ago + minute, name="A").status_code == 201
    too_old = reserve(app, market.buyer, market.devices[1:], start=year_ago - minute, name="B")
    assert response_codes(too_old) == ["start_too_old"]


def test_twelve_months_before_29_february_is_28_february() -> None:
    leap_day = datetime(2028, 2, 29, 8, tzinfo=UTC)
    assert earliest_start(leap_day) == datetime(2027, 2, 28, 8, tzinfo=UTC)


def response_codes(response) -> list[str]:
    return [e["code"] for e in response.json["errors"]]


def test_a_target_is_required_without_authority_to_exceed(app, market) -> None:
    response = reserve(app, market.buyer, market.devices, authority_to_exceed=False)
    assert response_codes(response) == ["target_required"]


def test_the_target_is_exact_to_the_watt_hour(app, market) -> None:
    response = reserve(app, market.buyer, market.devices, target_volume_mwh="1.0000001")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "target_volume_mwh"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../../etc/passwd", "+03:00"])
def test_the_issuance_time_zone_must_be_an_iana_zone(app, market, zone) -> None:
    response = reserve(app, market.buyer, market.devices, timezone=zone)
    assert (response.status_code, response_codes(response)) == (422, ["unknown_timezone"])


def test_names_are_unique_per_buyer_whatever_the_case(app, market) -> None:
    assert reserve(app, market.buyer, market.devices[:1], name="Kenya").status_code == 201
    clash = reserve(app, market.buyer, market.devices[1:], name="KENYA")
    assert (clash.status_code, clash.json["code"], clash.json["errors"][0]["field"]) == (409, "name_taken", "name")
    other_buyer = make_org("Other Buyer", OrganizationType.BUYER)
    assert reserve(app, other_buyer, market.devices[1:], name="Kenya").status_code == 201


def test_a_reserved_device_makes_the_whole_request_fail_and_nothing_is_created(app, market) -> None:
    assert reserve(app, market.buyer, market.devices[:1], name="First").status_code == 201
    second = reserve(app, market.buyer, market.devices, name="Second")
    assert (second.status_code, second.json["code"]) == (409, "device_unavailable")
    assert second.json["device_ids"] == [str(market.devices[0].id)]
    assert second.json["devices"][0]["reason"] == "reserved"
    with platform.current().db.unit_of_work() as session:
        assert session.scalars(select(Reservation.name)).all() == ["First"]


def test_partial_creation_leaves_unavailable_devices_out_only_when_asked(app, market) -> None:
    reserve(app, market.buyer, market.devices[:1], name="First")
    unknown = "00000000-0000-4000-8000-000000000000"
    response = call(
        app,
        market.buyer,
        "POST",
        "/api/v1/reservations",
        {
            "name": "Second",
            "start": NOW.isoformat(),
            "end": (NOW + timedelta(days=5)).isoformat(),
            "frequency": "daily",
            "authority_to_exceed": True,
            "device_ids": [str(d.id) for d in market.devices] + [unknown],
            "allow_partial": True,
        },
    )
    assert response.status_code == 201, response.json
    assert response.json["device_ids"] == [str(market.devices[1].id)]
    reasons = {d["device_id"]: d["reason"] for d in response.json["unavailable_devices"]}
    assert reasons == {str(market.devices[0].id): "reserved", unknown: "not_found"}


def test_partial_creation_still_needs_one_available_device(app, market) -> None:
    reserve(app, market.buyer, market.devices[:1], name="First")
    response = reserve(app, market.buyer, market.devices[:1], name="Second", allow_partial=True)
    assert (response.status_code, response.json["code"]) == (409, "device_unavailable")


def test_a_back_dated_period_cannot_overlap_a_past_reservation_of_the_device(app, market) -> None:
    make_reservation(market.buyer, market.devices[:1], NOW - timedelta(days=60), NOW - timedelta(days=30))
    with platform.current().db.unit_of_work() as session:
        session.scalars(select(ReservationDevice)).one().released_at = NOW - timedelta(days=30)
    response = reserve(app, market.buyer, market.devices[:1], start=NOW - timedelta(days=40), name="Overlap")
    assert (response.status_code, response.json["devices"][0]["reason"]) == (409, "reserved_in_period")
    after = reserve(app, market.buyer, market.devices[:1], start=NOW - timedelta(days=30), name="After")
    assert after.status_code == 201, after.json


def test_two_buyers_reserving_the_same_device_at_once_cannot_both_win(app, market) -> None:
    first_buyer = market.buyer
    second_buyer = make_org("Second Buyer", OrganizationType.BUYER)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(buyer, name) -> None:
        barrier.wait()
        try:
            make_reservation(buyer, market.devices, NOW, NOW + timedelta(days=10), name=name)
            outcomes.append("won")
        except Conflict as conflict:
            outcomes.append(f"lost: {conflict.code}")

    threads = [threading.Thread(target=attempt, args=(b, n)) for b, n in ((first_buyer, "A"), (second_buyer, "B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lost: device_unavailable", "won"]
    with platform.current().db.unit_of_work() as session:
        assert len(session.scalars(select(ReservationDevice)).all()) == len(market.devices)
