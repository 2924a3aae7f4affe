"""Reservations made (and changed) through the reservation services."""

from datetime import datetime

from sqlalchemy import update

from dapp import platform
from dapp.models.devices import Device
from dapp.models.reservations import Reservation, SplitRule
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


def made_under(reservation: Reservation, rule: SplitRule) -> Reservation:
    """The reservation as if it had been made under an earlier split rule (ADR 0100)."""
    with platform.current().db.unit_of_work() as session:
        session.execute(update(Reservation).where(Reservation.id == reservation.id).values(split_rule=rule))
    reservation.split_rule = rule
    return reservation


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
