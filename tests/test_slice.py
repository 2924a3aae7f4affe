"""The whole D-REC flow on real components: sign-up → device → reads → reservation → issuance → mint → index.

Asserts what the spec promises end to end: the buyer's on-chain balance equals the certified Wh, which equals
the accepted non-baseline energy of the window (R-ISS-2/3), and issuing the same window again mints nothing
(R-ISS-5, R-ISS-11).
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from dapp import platform
from dapp.chain import contracts
from dapp.reads.plausibility import clear_sky_irradiance
from tests.support.journeys import Member, onboard
from tests.support.workers import run_indexer, run_jobs, settle

# The device is in Nairobi (UTC+3) and produces in daylight only (R-READ-8); the buyer issues daily in Honolulu's
# zone (UTC−10), whose midnight falls at 10:00 UTC, 13:00 in Nairobi, so a read can straddle the window boundary.
T0 = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)  # 07:00 in Nairobi
WINDOW_END = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
ISSUANCE_ZONE = "Pacific/Honolulu"
HOURLY_WH = 1000
STRADDLING_WH = 1500  # [09:00, 11:00) UTC: cut by the first daily window's end at 10:00 UTC
NAIROBI = (-1.2921, 36.8219)


def iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def delta_reads() -> list[dict[str, Any]]:
    baseline = {"end": iso(T0 + timedelta(minutes=10)), "value": 4242}
    hourly = [{"end": iso(T0.replace(hour=h)), "value": HOURLY_WH} for h in range(5, 10)]
    straddling = {"end": iso(WINDOW_END + timedelta(hours=1)), "value": STRADDLING_WH}
    return [baseline, *hourly, straddling]


def expected_first_window_wh() -> int:
    return 5 * HOURLY_WH + straddling_share_wh()


def straddling_share_wh() -> int:
    """The straddling read's share of the first window under split-solar/1 (R-ISS-2): in proportion to the
    device's clear-sky irradiance over [09:00, 10:00) against [09:00, 11:00), on the 5-minute grid."""
    start = WINDOW_END - timedelta(hours=1)
    middles = np.array([(start + timedelta(minutes=5 * n + 2.5)).timestamp() for n in range(24)])
    irradiance = np.rint(clear_sky_irradiance(middles, np.full(24, NAIROBI[0]), np.full(24, NAIROBI[1])))
    return STRADDLING_WH * int(irradiance[:12].sum()) // int(irradiance.sum())


def build_slice(app, settings, prepare_buyer: Callable[[Member], None] | None = None) -> dict[str, Any]:
    """Drive the slice through the HTTP API; returns the members and ids the assertions need.

    `prepare_buyer` acts as the buyer before it reserves (e.g. binds a wallet of its own).
    """
    clock = platform.current().clock
    clock.set(T0)
    developer = onboard(app, settings.mail_dir, "developer", "Sunny Developers", "dev@sunny.example")
    device = developer.api(
        "POST",
        "/api/v1/devices",
        {
            "external_id": "SHS-001",
            "country_code": "KEN",
            "commissioning_date": "2025-01-15",
            "capacity_kw": "5",
            "fuel_code": "ES100",
            "device_type_code": "TC120",
            "latitude": str(NAIROBI[0]),
            "longitude": str(NAIROBI[1]),
        },
    )
    assert device.status_code == 201, device.json
    key = developer.api(
        "POST", "/api/v1/api-keys", {"name": "meter gateway", "permissions": {"meter_reads": ["WRITE"]}}
    )
    assert key.status_code == 201, key.json
    api_key = key.json["key"]

    clock.set(WINDOW_END + timedelta(hours=1, minutes=30))
    reads = app.test_client().post(
        "/api/v1/devices/SHS-001/reads",
        json={"type": "delta", "unit": "Wh", "reads": delta_reads()},
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert reads.status_code == 200, reads.json
    assert reads.json["rejected"] == 0

    buyer = onboard(app, settings.mail_dir, "buyer", "Green Buyer Ltd", "buyer@green.example")
    if prepare_buyer is not None:
        prepare_buyer(buyer)
    catalogue = buyer.api("GET", "/api/v1/device-catalogue")
    assert [d["external_id"] for d in catalogue.json] == ["SHS-001"]
    reservation = buyer.api(
        "POST",
        "/api/v1/reservations",
        {
            "name": "Kenya SHS 2026",
            "start": iso(T0),
            "end": iso(T0 + timedelta(days=30)),
            "frequency": "daily",
            "timezone": ISSUANCE_ZONE,
            "authority_to_exceed": True,
            "device_ids": [catalogue.json[0]["id"]],
        },
    )
    assert reservation.status_code == 201, reservation.json
    settle()
    return {"developer": developer, "buyer": buyer, "api_key": api_key, "reservation": reservation.json}


def certificates(buyer: Member) -> list[dict[str, Any]]:
    response = buyer.api("GET", "/api/v1/certificates")
    assert response.status_code == 200
    return response.json["items"]


def chain_balance(owner: str, token_id: str) -> int:
    chain = contracts.from_settings(platform.current().settings)
    return chain.contract("DrecCertificates").functions.balanceOf(owner, int(token_id)).call()


def test_energy_becomes_a_minted_certificate_in_the_buyers_wallet(app, settings) -> None:
    journey = build_slice(app, settings)
    [certificate] = certificates(journey["buyer"])
    wallet = journey["reservation"]["wallet_address"]

    assert certificate["status"] == "minted"
    assert certificate["volume_wh"] == expected_first_window_wh()
    assert chain_balance(wallet, certificate["token_id"]) == certificate["volume_wh"]
    assert certificate["window_start"].startswith("2026-06-01T04:00")
    assert certificate["window_end"].startswith("2026-06-01T10:00")
    assert certificate["mint_tx_hash"].startswith("0x")
    assert certificate["metadata_cid"].startswith("bafk")
    [contribution] = certificate["contributions"]
    assert contribution["energy_wh"] == expected_first_window_wh()


def test_issuing_the_same_window_again_mints_nothing(app, settings) -> None:
    journey = build_slice(app, settings)
    [before] = certificates(journey["buyer"])
    settle()
    from dapp.issuance.jobs import certify_window_job

    assert certify_window_job(journey["reservation"]["id"], T0.isoformat(), WINDOW_END.isoformat()) == 0
    run_jobs()
    run_indexer()
    assert certificates(journey["buyer"]) == [before]
    assert chain_balance(journey["reservation"]["wallet_address"], before["token_id"]) == before["volume_wh"]


def test_the_reservation_is_logged_on_chain(app, settings) -> None:
    journey = build_slice(app, settings)
    from sqlalchemy import select

    from dapp.models.chain import ChainEvent

    reservation_id = "0x" + journey["reservation"]["id"].replace("-", "")
    with platform.current().db.unit_of_work() as session:
        [event] = session.scalars(
            select(ChainEvent).where(
                ChainEvent.event == "ReservationCreated", ChainEvent.args["reservationId"].astext == reservation_id
            )
        )
        assert event.args["buyer"].lower() == journey["reservation"]["wallet_address"].lower()
        assert event.args["frequency"] == "daily"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b'{"type": "delta", "unit": "Wh", "reads": []}', 422, "validation_failed"),
        (
            b'{"type": "weekly", "unit": "Wh", "reads": [{"end": "2026-06-01T11:00Z", "value": 1}]}',
            422,
            "validation_failed",
        ),
    ],
)
def test_malformed_read_requests_get_a_problem_document(app, settings, body, status, code) -> None:
    journey = build_slice(app, settings)
    response = app.test_client().post(
        "/api/v1/devices/SHS-001/reads",
        data=body,
        headers={"Authorization": f"Bearer {journey['api_key']}", "Content-Type": "application/json"},
    )
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == code
