"""Errors of reservations, each a problem document with a stable code (STYLE.md: `<Subject><Problem>`)."""

import uuid
from datetime import UTC, datetime

from dapp.errors import Conflict, Invalid, NotFound


def iso(instant: datetime) -> str:
    """An instant as API responses write it (UTC, `Z`)."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


class ReservationNotFound(NotFound):
    """The organization has no reservation with this id."""

    code = "reservation_not_found"

    def __init__(self) -> None:
        super().__init__("No such reservation in your organization.")


class ReservationEnded(Conflict):
    """The reservation ended (or ends at a set time): it can no longer change; `ended_at` says when."""

    code = "reservation_ended"

    def __init__(self, ended_at: datetime) -> None:
        super().__init__(
            f"This reservation ended (or ends) at {ended_at:%Y-%m-%d %H:%M} UTC; it can no longer change.",
            ended_at=iso(ended_at),
        )


def devices_unavailable(unavailable: list[tuple[uuid.UUID, str, datetime | None]]) -> Conflict:
    """`cooldown_active` (with the time the cool-down ends) when only the cool-down is in the way, else
    `device_unavailable`; both name every device and its reason."""
    devices = [
        {"device_id": str(device_id), "reason": reason, "available_at": iso(at) if at else None}
        for device_id, reason, at in sorted(unavailable, key=lambda item: str(item[0]))
    ]
    device_ids = [device["device_id"] for device in devices]
    if all(reason == "cooldown" for _, reason, _ in unavailable):
        ends = max(at for _, _, at in unavailable if at is not None)
        return CooldownActive(
            f"{len(devices)} device(s) left a reservation less than 12 hours ago and can be reserved again from "
            f"{ends:%Y-%m-%d %H:%M} UTC.",
            cooldown_ends_at=iso(ends),
            device_ids=device_ids,
            devices=devices,
        )
    return DevicesUnavailable(
        f"{len(devices)} device(s) cannot be reserved: they do not exist, are in another reservation (now, later, "
        "or during the requested period), or left one less than 12 hours ago. See `devices` for the reasons.",
        device_ids=device_ids,
        devices=devices,
    )


class AutomaticReleasePending(Conflict):
    """The device is being released automatically; a manual release is allowed only if that fails."""

    code = "automatic_release_pending"


class CooldownActive(Conflict):
    """The devices left a reservation less than 12 hours ago; `cooldown_ends_at` says when they are free."""

    code = "cooldown_active"


class DeviceInActiveReservation(Conflict):
    """The device belongs to a running reservation: only the buyer can take it out."""

    code = "device_in_active_reservation"


class DeviceNotReserved(Conflict):
    """The device is not waiting to be released."""

    code = "device_not_reserved"


class DevicesUnavailable(Conflict):
    """Some devices cannot be reserved; `devices` gives each one's reason."""

    code = "device_unavailable"


class NothingToChange(Invalid):
    """The request names no device to add or remove."""

    code = "nothing_to_change"


class ReservationNameTaken(Conflict):
    """The organization already has a reservation with this name."""

    code = "name_taken"


# A change of devices the request itself contradicts: the refusal carries the code of its first problem, and
# `errors` lists every one with the devices concerned.
class AddedAndRemoved(Invalid):
    """A device is both added and removed."""

    code = "added_and_removed"


class AlreadyInReservation(Invalid):
    """A device to add is already in the reservation."""

    code = "already_in_reservation"


class NotInReservation(Invalid):
    """A device to remove is not in the reservation."""

    code = "not_in_reservation"


class NoDevicesLeft(Invalid):
    """The change would leave the reservation without devices: end it instead."""

    code = "no_devices_left"


DEVICE_CHANGE_REFUSALS: dict[str, type[Invalid]] = {
    error.code: error for error in (AddedAndRemoved, AlreadyInReservation, NotInReservation, NoDevicesLeft)
}


class DevicesNotIrecApproved(Conflict):
    """A reservation with standard I-REC takes only devices whose I-REC device group the registry approved
    (R-IREC-4); `devices` names each other device with its group's status."""

    code = "devices_not_irec_approved"
