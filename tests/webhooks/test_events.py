"""The events features announce (R-API-2), as a subscribed receiver gets them: bulk job finished, reads rejected
or flagged, reservation created/changed/ended, certificate minted, claimed and transferred. Each goes to the
organization it concerns, after the commit, and a receiver that is down never fails the action."""

import io
import json
import socket
from datetime import timedelta

from eth_account import Account
from sqlalchemy import select

from dapp import platform
from dapp.models.accounts import Organization
from dapp.models.webhooks import Event
from tests.factories.devices import GOOD_ROW, csv_bytes
from tests.issuance.test_claims import CLAIM
from tests.reservations.conftest import NOW
from tests.reservations.support import call, reserve
from tests.support.workers import run_jobs, settle
from tests.test_slice import build_slice, certificates
from tests.webhooks.support import deliveries, registered, send_webhooks


def received(receiver) -> list[dict]:
    return [json.loads(got.body) for got in receiver.received]


def test_a_reservation_is_announced_to_the_buyer_when_created_changed_and_ended(app, market, receiver) -> None:
    kinds = ["reservation.created", "reservation.changed", "reservation.ended"]
    registered(app, market.buyer, receiver.url, kinds)
    registered(app, market.developer, receiver.url + "/developer", kinds)
    created = reserve(app, market.buyer, [market.devices[0]], name="Schools")
    assert created.status_code == 201, created.json
    reservation = created.json["id"]
    changed = call(
        app,
        market.buyer,
        "PATCH",
        f"/api/v1/reservations/{reservation}",
        {"add_device_ids": [str(market.devices[1].id)]},
    )
    assert changed.status_code == 200, changed.json
    assert call(app, market.buyer, "DELETE", f"/api/v1/reservations/{reservation}").status_code in (200, 202)
    assert receiver.received == []  # nothing is sent by the requests themselves
    send_webhooks()
    events = received(receiver)
    assert [e["type"] for e in events] == kinds
    assert {r.path for r in receiver.received} == {"/hooks"}  # the buyer's endpoint only
    assert {e["data"]["reservation_id"] for e in events} == {reservation}
    assert events[0]["data"]["name"] == "Schools"
    assert events[1]["data"]["devices"]["added"][0]["device_id"] == str(market.devices[1].id)


def test_only_the_subscribed_kinds_are_sent(app, market, receiver) -> None:
    registered(app, market.buyer, receiver.url, ["reservation.ended"])
    reserve(app, market.buyer, [market.devices[0]])
    send_webhooks()
    assert receiver.received == []


def test_a_receiver_that_is_down_never_fails_or_delays_the_action(app, market, allow_private) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = registered(app, market.buyer, f"http://127.0.0.1:{port}/", ["reservation.created"])
    assert reserve(app, market.buyer, [market.devices[0]]).status_code == 201
    send_webhooks()
    [delivery] = deliveries(app, market.buyer, endpoint["id"])
    assert (delivery["event_kind"], delivery["status"]) == ("reservation.created", "pending")
    assert call(app, market.buyer, "GET", "/api/v1/reservations").status_code == 200


def test_rejected_and_flagged_reads_of_a_batch_are_announced(app, market, receiver) -> None:
    registered(app, market.developer, receiver.url, ["reads.rejected", "reads.flagged"])
    device = market.devices[0]
    platform.current().clock.set(NOW + timedelta(hours=9))
    reads = [
        {"end": (NOW + timedelta(minutes=10)).isoformat(), "value": 100},
        {"end": (NOW + timedelta(hours=1)).isoformat(), "value": 500},
        {"end": (NOW + timedelta(hours=1)).isoformat(), "value": 500},  # the same instant again: rejected
        {"end": (NOW + timedelta(hours=7)).isoformat(), "value": 0},
        {"end": (NOW + timedelta(hours=8)).isoformat(), "value": 300},  # 22:00-23:00 in Nairobi: no sun, flagged
    ]
    path = f"/api/v1/devices/{device.external_id}/reads"
    answer = call(app, market.developer, "POST", path, {"type": "delta", "unit": "Wh", "reads": reads}).json
    statuses = [r["status"] for r in answer["results"]]
    assert "rejected" in statuses, answer
    assert "flagged" in statuses, answer
    send_webhooks()
    by_kind = {e["type"]: e["data"] for e in received(receiver)}
    assert set(by_kind) == {"reads.rejected", "reads.flagged"}
    assert by_kind["reads.rejected"]["count"] == statuses.count("rejected")
    assert by_kind["reads.rejected"]["reads"][0]["external_id"] == device.external_id
    assert by_kind["reads.rejected"]["reads"][0]["reason_code"]
    assert by_kind["reads.flagged"]["reads"][0]["reason_code"] == "exceeds_clear_sky"


def test_a_finished_bulk_upload_is_announced(app, market, receiver) -> None:
    registered(app, market.developer, receiver.url, ["bulk_upload.finished"])
    started = app.test_client().post(
        "/api/v1/device-uploads",
        data={"file": (io.BytesIO(csv_bytes([{**GOOD_ROW, "external_id": "CSV-1"}])), "devices.csv")},
        headers=market.developer.auth,
        content_type="multipart/form-data",
    )
    assert started.status_code == 202, started.json
    run_jobs(("bulk",))
    send_webhooks()
    [event] = received(receiver)
    assert event["type"] == "bulk_upload.finished"
    assert event["data"]["upload_id"] == started.json["id"]
    assert (event["data"]["success"], event["data"]["failed"]) == (1, 0)


def test_minting_claiming_and_transferring_a_certificate_are_announced(app, settings, receiver) -> None:
    buyer = build_slice(app, settings)["buyer"]
    [certificate] = certificates(buyer)
    with platform.current().db.unit_of_work() as session:
        minted = session.scalars(select(Event).where(Event.kind == "certificate.minted")).one()
        assert minted.data["token_id"] == certificate["token_id"]
        assert minted.data["volume_wh"] == certificate["volume_wh"]
    kinds = ["certificate.claimed", "certificate.transferred"]
    assert buyer.api("POST", "/api/v1/webhooks", {"url": receiver.url, "events": kinds}).status_code == 201
    claim = buyer.api("POST", f"/api/v1/certificates/{certificate['id']}/claims", {**CLAIM, "volume_wh": 1_000})
    assert claim.status_code == 201, claim.json
    to = Account.create().address
    transfer = buyer.api(
        "POST", f"/api/v1/certificates/{certificate['id']}/transfers", {"volume_wh": 500, "to_address": to}
    )
    assert transfer.status_code == 201, transfer.json
    settle()
    send_webhooks()
    by_kind = {e["type"]: e["data"] for e in received(receiver)}
    assert by_kind["certificate.claimed"]["claim_id"] == claim.json["id"]
    assert by_kind["certificate.claimed"]["tx_hash"].startswith("0x")
    assert by_kind["certificate.transferred"]["to_address"] == to
    assert by_kind["certificate.transferred"]["volume_wh"] == 500


def test_a_disabled_organization_hears_nothing(app, market, receiver) -> None:
    registered(app, market.buyer, receiver.url, ["reservation.created"])
    reserve(app, market.buyer, [market.devices[0]])
    with platform.current().db.unit_of_work() as session:
        session.get_one(Organization, market.buyer.actor.organization_id).disabled_at = NOW
    send_webhooks()
    assert receiver.received == []


def test_a_single_flagged_read_is_announced_though_single_reads_take_the_express_lane(app, market, receiver) -> None:
    registered(app, market.developer, receiver.url, ["reads.flagged"])
    platform.current().clock.set(NOW + timedelta(hours=9))
    path = f"/api/v1/devices/{market.devices[0].external_id}/reads"
    for hours, value in ((7, 0), (8, 300)):  # a baseline at 22:00 in Nairobi, then energy in the night
        read = {"end": (NOW + timedelta(hours=hours)).isoformat(), "value": value}
        answer = call(app, market.developer, "POST", path, {"type": "delta", "unit": "Wh", "reads": [read]})
        assert answer.status_code == 200, answer.json
    assert answer.json["results"][0]["status"] == "flagged"
    send_webhooks()
    [event] = received(receiver)
    assert (event["type"], event["data"]["count"]) == ("reads.flagged", 1)
