"""Reservations made (and changed) through the reservation services."""

from datetime import datetime

from dapp import platform
from dapp.models.devices import Device
from dapp.models.reservations import Reservation
from dapp.reservations.schemas import ReservationCreate, ReservationPatch
from dapp.reservations.service import changes, creation
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
    fields = {"authority_to_exceed": True, **extra}
    with p.db.unit_of_work() as session:
        return creation.create(
            session,
            buyer.actor,
            p.clock.now(),
            ReservationCreate(
                name=name,
                start=start,
                end=end,
                frequency=frequency,
                device_ids=[d.id for d in devices],
                **fields,
            ),
        ).reservation


def change_devices(buyer: Org, reservation: Reservation, add: list[Device] = (), remove: list[Device] = ()) -> None:
    p = platform.current()
    with p.db.unit_of_work() as session:
        changes.change_devices(
            session,
            buyer.actor,
            p.clock.now(),
            reservation.id,
            ReservationPatch(add_device_ids=[d.id for d in add], remove_device_ids=[d.id for d in remove]),
        )
