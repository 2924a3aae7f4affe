"""ReservationLog: append-only events written by the logger role only."""

import ape
from eth_utils import keccak

RESERVATION = bytes.fromhex("0123456789abcdef0123456789abcdef")
DEVICES_HASH = keccak(b"device-list")


def test_logs_creation_with_every_field(reservation_log, issuer, buyer):
    receipt = reservation_log.logCreated(
        RESERVATION, buyer, 100, 200, "daily", 5_000_000, False, DEVICES_HASH, "bafy-devices", sender=issuer
    )
    [event] = receipt.decode_logs(reservation_log.ReservationCreated)
    assert event.reservationId == RESERVATION
    assert event.buyer == buyer.address
    assert (event.periodStart, event.periodEnd, event.frequency) == (100, 200, "daily")
    assert (event.targetWh, event.authorityToExceed) == (5_000_000, False)
    assert (event.devicesHash, event.devicesCid) == (DEVICES_HASH, "bafy-devices")


def test_logs_device_change_and_end(reservation_log, issuer):
    changed = reservation_log.logDevicesChanged(RESERVATION, DEVICES_HASH, "bafy-2", sender=issuer)
    ended = reservation_log.logEnded(RESERVATION, 150, sender=issuer)
    [change] = changed.decode_logs(reservation_log.ReservationDevicesChanged)
    [end] = ended.decode_logs(reservation_log.ReservationEnded)
    assert (change.reservationId, change.devicesCid) == (RESERVATION, "bafy-2")
    assert (end.reservationId, end.endedAt) == (RESERVATION, 150)


def test_only_the_logger_role_writes(reservation_log, stranger, buyer):
    with ape.reverts(reservation_log.AccessControlUnauthorizedAccount):
        reservation_log.logCreated(RESERVATION, buyer, 100, 200, "daily", 0, True, DEVICES_HASH, "x", sender=stranger)
    with ape.reverts(reservation_log.AccessControlUnauthorizedAccount):
        reservation_log.logDevicesChanged(RESERVATION, DEVICES_HASH, "x", sender=stranger)
    with ape.reverts(reservation_log.AccessControlUnauthorizedAccount):
        reservation_log.logEnded(RESERVATION, 1, sender=stranger)
