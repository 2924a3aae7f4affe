"""Notifications to the developer organizations whose devices are reserved or released (R-RES-7)."""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.models.accounts import Organization
from dapp.models.devices import Device
from dapp.models.notify import NotificationKind
from dapp.models.reservations import Reservation
from dapp.notify import service as notify


def devices_reserved(
    session: Session,
    reservation: Reservation,
    device_ids: Iterable[uuid.UUID],
    now: datetime,
    *,
    counted_from: datetime,
) -> None:
    """`counted_from`: where the devices' membership begins (the reservation's start when it is created, even in
    the past; the moment of an addition), never the time the notice is written."""
    buyer = session.get_one(Organization, reservation.buyer_organization_id).name
    start, end = _utc(counted_from), _utc(reservation.effective_end)
    for organization_id, names in _by_developer(session, device_ids).items():
        notify.notify(
            session,
            organization_id,
            NotificationKind.DEVICES_RESERVED,
            f"{len(names)} of your devices reserved by {buyer}",
            f"{buyer} reserved {_listing(names)} in its reservation '{reservation.name}' "
            f"({reservation.standard}, {reservation.frequency} issuance) from {start} until {end}. "
            f"Certificates for their energy in that time go to {buyer}.",
            now,
        )


def devices_released(
    session: Session,
    reservation: Reservation,
    device_ids: Iterable[uuid.UUID],
    now: datetime,
    *,
    counted_until: datetime | None,
    reservable_from: datetime,
) -> None:
    """`counted_until`: the end of the devices' membership (None when it never began)."""
    counted = f"energy counted for it until {_utc(counted_until)}" if counted_until else "before it began"
    again = "now" if reservable_from <= now else f"from {_utc(reservable_from)}"
    for organization_id, names in _by_developer(session, device_ids).items():
        notify.notify(
            session,
            organization_id,
            NotificationKind.DEVICES_RELEASED,
            f"{len(names)} of your devices released",
            f"{_listing(names)} left the reservation '{reservation.name}' ({counted}). "
            f"They can be reserved again {again}.",
            now,
        )


def _by_developer(session: Session, device_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    rows = session.execute(select(Device.organization_id, Device.external_id).where(Device.id.in_(list(device_ids))))
    grouped: dict[uuid.UUID, list[str]] = defaultdict(list)
    for organization_id, external_id in rows:
        grouped[organization_id].append(external_id)
    return {organization_id: sorted(names) for organization_id, names in grouped.items()}


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:20])
    return shown if len(names) <= 20 else f"{shown} and {len(names) - 20} more"


def _utc(instant: datetime) -> str:
    return f"{instant.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
