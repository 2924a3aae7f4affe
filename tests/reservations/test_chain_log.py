"""The reservation log on chain matches the database (R-RES-8): create → patch → end, read back through the
indexer, device lists fetched from IPFS and checked against the hashes on chain."""

from datetime import UTC, datetime, timedelta
from typing import Any

from eth_utils import keccak
from sqlalchemy import select

from dapp import platform
from dapp.ipfs import canonical_json, get_json
from dapp.models.chain import ChainEvent, OutboxEntry
from dapp.models.reservations import Reservation, ReservationChange, ReservationDevice
from tests.reservations.conftest import NOW
from tests.reservations.support import call, certify_until, reserve, send_daylight_reads
from tests.support.workers import settle


def logged_events(reservation_id: str) -> list[ChainEvent]:
    with platform.current().db.unit_of_work() as session:
        return list(
            session.scalars(
                select(ChainEvent)
                .where(
                    ChainEvent.contract == "ReservationLog",
                    ChainEvent.args["reservationId"].astext == "0x" + reservation_id.replace("-", ""),
                )
                .order_by(ChainEvent.block_number, ChainEvent.log_index)
            )
        )


def published(args: dict[str, Any]) -> dict[str, Any]:
    """The device list at the event's CID, after checking it against the hash on chain."""
    document = get_json(platform.current().content, args["devicesCid"])
    assert "0x" + keccak(canonical_json(document)).hex() == args["devicesHash"]
    return document


def test_the_log_on_chain_matches_the_database_after_create_patch_and_end(app, market) -> None:
    first, second = market.devices
    created = reserve(app, market.buyer, [first, second], target_volume_mwh="1.5", authority_to_exceed=False).json
    settle()
    send_daylight_reads(app, market.developer, first)
    certify_until(datetime(2026, 6, 2, 1, tzinfo=UTC))
    patched = call(
        app,
        market.buyer,
        "PATCH",
        f"/api/v1/reservations/{created['id']}",
        {"add_device_ids": [str(market.other_devices[0].id)], "remove_device_ids": [str(second.id)]},
    )
    assert patched.status_code == 200, patched.json
    settle()
    ended = call(app, market.buyer, "DELETE", f"/api/v1/reservations/{created['id']}")
    assert ended.json["outcome"] == "ended"
    settle()

    events = logged_events(created["id"])
    assert [e.event for e in events] == ["ReservationCreated", "ReservationDevicesChanged", "ReservationEnded"]
    creation, change, end = (e.args for e in events)
    with platform.current().db.unit_of_work() as session:
        reservation = session.get_one(Reservation, created["id"])
        members = {m.device_id: m for m in session.scalars(select(ReservationDevice))}
        changes = session.scalars(select(ReservationChange).order_by(ReservationChange.created_at)).all()
        sent = [session.get_one(OutboxEntry, c.outbox_entry_id).tx_hash for c in changes]

        assert creation["buyer"].lower() == reservation.wallet_address.lower()
        assert int(creation["periodStart"]) == int(reservation.period_start.timestamp())
        assert int(creation["periodEnd"]) == int(reservation.period_end.timestamp())
        assert (creation["frequency"], int(creation["targetWh"]), creation["authorityToExceed"]) == (
            "daily",
            1_500_000,
            False,
        )
        assert published(creation)["device_ids"] == sorted([str(first.id), str(second.id)])

        document = published(change)
        current = sorted(str(d) for d, m in members.items() if m.removed_at is None)
        assert document["device_ids"] == current
        [added] = document["added"]
        [removed] = document["removed"]
        assert datetime.fromisoformat(added["from"]) == members[market.other_devices[0].id].active_from
        assert datetime.fromisoformat(removed["until"]) == members[second.id].active_until

        assert int(end["endedAt"]) == int(reservation.ended_at.timestamp())
        assert reservation.ended_at == datetime(2026, 6, 3, tzinfo=UTC)
        assert sent == [e.tx_hash for e in events]


def test_the_reservation_page_shows_the_transaction_of_each_change(app, market) -> None:
    created = reserve(app, market.buyer, market.devices).json
    detail = call(app, market.buyer, "GET", f"/api/v1/reservations/{created['id']}").json
    assert [(e["kind"], e["chain_status"], e["tx_hash"]) for e in detail["log"]] == [("created", "waiting", None)]
    settle()
    call(
        app,
        market.buyer,
        "PATCH",
        f"/api/v1/reservations/{created['id']}",
        {"remove_device_ids": [str(market.devices[0].id)]},
    )
    settle()
    detail = call(app, market.buyer, "GET", f"/api/v1/reservations/{created['id']}").json
    events = logged_events(created["id"])
    assert [(e["kind"], e["chain_status"], e["tx_hash"]) for e in detail["log"]] == [
        ("created", "confirmed", events[0].tx_hash),
        ("devices_changed", "confirmed", events[1].tx_hash),
    ]
    assert detail["log"][1]["devices_cid"] == events[1].args["devicesCid"]
    assert detail["log"][1]["devices_hash"] == events[1].args["devicesHash"]


def test_a_deleted_reservation_is_logged_as_ended(app, market) -> None:
    platform.current().clock.set(NOW + timedelta(hours=1))
    created = reserve(app, market.buyer, market.devices, start=NOW + timedelta(days=1)).json
    assert call(app, market.buyer, "DELETE", f"/api/v1/reservations/{created['id']}").json["outcome"] == "deleted"
    settle()
    events = logged_events(created["id"])
    assert [e.event for e in events] == ["ReservationCreated", "ReservationEnded"]
    assert published(events[0].args)["device_ids"] == sorted(str(d.id) for d in market.devices)
