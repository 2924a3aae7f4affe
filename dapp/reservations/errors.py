"""Errors of reservations, each with a stable problem code."""

import uuid
from datetime import UTC, datetime

from dapp.errors import Conflict, NotFound


def iso(instant: datetime) -> str:
    """An instant as API responses write it (UTC, `Z`)."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


class ReservationNotFound(NotFound):
    code = "reservation_not_found"

    def __init__(self) -> None:
        super().__init__("No such reservation in your organization.")


class ReservationEnded(Conflict):
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
        return Conflict(
            f"{len(devices)} device(s) left a reservation less than 12 hours ago and can be reserved again from "
            f"{ends:%Y-%m-%d %H:%M} UTC.",
            code="cooldown_active",
            cooldown_ends_at=iso(ends),
            device_ids=device_ids,
            devices=devices,
        )
    return Conflict(
        f"{len(devices)} device(s) cannot be reserved: they do not exist, are in another reservation (now, later, "
        "or during the requested period), or left one less than 12 hours ago. See `devices` for the reasons.",
        code="device_unavailable",
        device_ids=device_ids,
        devices=devices,
    )
