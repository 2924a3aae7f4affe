"""Reservations made through the reservation service."""

from datetime import datetime

from dapp import platform
from dapp.devices.models import Device
from dapp.reservations import service
from dapp.reservations.models import Reservation
from dapp.reservations.schemas import ReservationCreate
from tests.factories.accounts import Org


def make_reservation(
    buyer: Org,
    devices: list[Device],
    start: datetime,
    end: datetime,
    frequency: str = "daily",
    name: str = "Reservation",
    **extra: object,
) -> Reservation:
    p = platform.current()
    with p.db.unit_of_work() as session:
        return service.create(
            session,
            buyer.actor,
            p.clock.now(),
            ReservationCreate(
                name=name,
                start=start,
                end=end,
                frequency=frequency,
                device_ids=[d.id for d in devices],
                **{"authority_to_exceed": True, **extra},
            ),
        )
