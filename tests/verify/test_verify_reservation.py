"""Public verification of reservations (R-VER-2): the log on chain, its device lists by CID and hash, the
platform's record as a witness, and every certificate's window and device membership."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from dapp import platform
from dapp.chain.certificate_data import metadata_cid_fields
from dapp.ipfs import add_json, canonical_json
from dapp.keccak import keccak256
from dapp.models.reservations import Reservation, ReservationDevice
from tests.indexer import onchain
from tests.support.workers import run_indexer
from tests.test_slice import ISSUANCE_ZONE, T0, build_slice, certificates
from tests.verify.conftest import agree


def verify(app, reference: str):
    return app.test_client().get(f"/api/v1/verify/reservations/{reference}")


def checks(report) -> dict[str, bool]:
    return {c["name"]: c["passed"] for c in report["checks"]}


def test_a_logged_reservation_with_its_certificate_is_consistent(app, settings, registry) -> None:
    journey = build_slice(app, settings)
    [certificate] = certificates(journey["buyer"])
    report = agree(app, registry, "reservation", journey["reservation"]["id"])
    assert report["verdict"] == "consistent", report["checks"]
    assert report["reservation"]["issuance_time_zone"] == ISSUANCE_ZONE
    assert report["reservation"]["buyer"] == journey["reservation"]["wallet_address"].lower()
    [created] = report["log"]
    assert created["event"] == "ReservationCreated"
    assert created["document"]["device_ids"] == journey["reservation"]["device_ids"]
    [row] = report["certificates"]
    assert (row["token_id"], row["verdict"], row["membership_problems"]) == (certificate["token_id"], "consistent", [])
    page = app.test_client().get(f"/verify/reservations/{journey['reservation']['id']}")
    assert page.status_code == 200
    assert "Consistent" in page.get_data(as_text=True)


EDITS = {
    "wallet": update(Reservation).values(wallet_address="0x" + "12" * 20),
    "frequency": update(Reservation).values(frequency="weekly"),
    "period end": update(Reservation).values(period_end=Reservation.period_end + timedelta(days=1)),
    "devices": update(ReservationDevice).values(removed_at=datetime(2026, 6, 1, tzinfo=UTC)),
}


@pytest.mark.parametrize("differs", list(EDITS))
def test_a_database_edit_of_the_reservation_is_detected(app, settings, registry, differs) -> None:
    journey = build_slice(app, settings)
    with platform.current().db.unit_of_work() as session:
        session.execute(EDITS[differs])
    report = agree(app, registry, "reservation", journey["reservation"]["id"])
    assert report["verdict"] == "inconsistent"
    [record] = [c for c in report["checks"] if c["name"] == "registry's record agrees"]
    assert differs in record["detail"]


def test_a_log_entry_whose_device_list_disagrees_with_the_database_is_detected(app, settings, registry) -> None:
    """The logger role writes a devices-changed entry whose published list names a device the platform never
    added to the reservation."""
    journey = build_slice(app, settings)
    reservation_id = uuid.UUID(journey["reservation"]["id"])
    document = {"reservation_id": str(reservation_id), "device_ids": [str(uuid.uuid4())]}
    cid = add_json(platform.current().content, document)
    chain = onchain.platform_chain()
    log = chain.contract("ReservationLog").functions.logDevicesChanged(
        reservation_id.bytes, keccak256(canonical_json(document)), cid
    )
    chain.transact(log)
    run_indexer()  # the gateway serves the lists of indexed log entries
    report = agree(app, registry, "reservation", str(reservation_id))
    assert report["verdict"] == "inconsistent"
    assert len(report["log"]) == 2
    [record] = [c for c in report["checks"] if c["name"] == "registry's record agrees"]
    assert "devices" in record["detail"]


def test_a_device_list_whose_bytes_differ_from_the_logged_hash_is_detected(app, settings, registry) -> None:
    journey = build_slice(app, settings)
    reservation_id = uuid.UUID(journey["reservation"]["id"])
    document = {"reservation_id": str(reservation_id), "device_ids": journey["reservation"]["device_ids"]}
    cid = add_json(platform.current().content, document)
    chain = onchain.platform_chain()
    chain.transact(chain.contract("ReservationLog").functions.logDevicesChanged(reservation_id.bytes, bytes(32), cid))
    run_indexer()
    report = agree(app, registry, "reservation", str(reservation_id))
    assert report["verdict"] == "inconsistent"
    assert [c["passed"] for c in report["checks"] if c["name"].startswith("device list")] == [True, False]


@pytest.mark.parametrize("reference", [str(uuid.uuid4()), "not-a-uuid", "12345", "\u0661"])
def test_an_unlogged_or_malformed_reservation_is_not_found(app, settings, registry, reference) -> None:
    assert agree(app, registry, "reservation", reference)["code"] == "reservation_never_logged"


def test_energy_certified_twice_in_a_reservation_is_detected(app, settings, registry) -> None:
    """An issuer-role key mints a second token of the reservation reusing a real certificate's document."""
    journey = build_slice(app, settings)
    [real] = certificates(journey["buyer"])
    chain = onchain.platform_chain()
    data = list(onchain.certificate_data(real["owner_address"], real["volume_wh"]))
    data[5] = uuid.UUID(journey["reservation"]["id"]).bytes
    data[6] = bytes.fromhex(real["contributions_root"][2:])
    data[7:9] = metadata_cid_fields(real["metadata_cid"])
    chain.transact(onchain.certificates(chain).functions.issueBatch([tuple(data)]))
    run_indexer()
    report = agree(app, registry, "reservation", journey["reservation"]["id"])
    assert report["verdict"] == "inconsistent"
    assert checks(report)["no energy certified twice in the reservation"] is False
    assert checks(report)[f"certificate {real['token_id']}"] is True


def test_a_certificate_whose_device_the_log_removed_before_its_energy_is_detected(app, settings, registry) -> None:
    """The log says the device left the reservation before the certificate's contribution began."""
    journey = build_slice(app, settings)
    [certificate] = certificates(journey["buyer"])
    reservation_id = uuid.UUID(journey["reservation"]["id"])
    [device_id] = journey["reservation"]["device_ids"]
    document = {
        "reservation_id": str(reservation_id),
        "device_ids": [],
        "removed": [{"device_id": device_id, "until": T0.isoformat()}],
    }
    cid = add_json(platform.current().content, document)
    chain = onchain.platform_chain()
    log = chain.contract("ReservationLog").functions.logDevicesChanged(
        reservation_id.bytes, keccak256(canonical_json(document)), cid
    )
    chain.transact(log)
    run_indexer()
    report = agree(app, registry, "reservation", str(reservation_id))
    [row] = report["certificates"]
    [problem] = row["membership_problems"]
    assert problem.startswith(f"device {device_id} was not a member from ")
    assert checks(report)[f"certificate {certificate['token_id']}"] is False
