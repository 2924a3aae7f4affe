"""/api/v1 routes of reservations and the device catalogue."""

import uuid

from dapp import platform
from dapp.accounts.permissions import Module, Permission
from dapp.reservations import service
from dapp.reservations.models import Reservation
from dapp.reservations.schemas import CatalogueDevice, ReservationCreate, ReservationRead
from dapp.web.api import ApiBlueprint, Call

api = ApiBlueprint("reservations_api", __name__)


def reservation_read(reservation: Reservation) -> ReservationRead:
    return ReservationRead.model_validate(
        {
            **{c: getattr(reservation, c) for c in ReservationRead.model_fields if c != "device_ids"},
            "device_ids": [member.device_id for member in reservation.members],
        }
    )


@api.endpoint_route("/device-catalogue", "GET", module=Module.RESERVATIONS, permission=Permission.READ)
def device_catalogue(call: Call) -> list[dict[str, object]]:
    """Reservable devices of all developers (attributes only, never meter data)."""
    p = platform.current()
    rows = service.catalogue(call.session, p.clock.now(), p.settings.default_yield_kwh_per_kwp)
    return [
        CatalogueDevice.model_validate({**_device_fields(d), "expected_annual_wh": wh}).model_dump(mode="json")
        for d, wh in rows
    ]


def _device_fields(device: object) -> dict[str, object]:
    return {name: getattr(device, name) for name in CatalogueDevice.model_fields if name != "expected_annual_wh"}


@api.endpoint_route(
    "/reservations",
    "POST",
    module=Module.RESERVATIONS,
    permission=Permission.WRITE,
    body=ReservationCreate,
    response=ReservationRead,
    status=201,
)
def create_reservation(call: Call) -> ReservationRead:
    """Reserve devices; logged on chain (ReservationLog) by a worker."""
    reservation = service.create(call.session, call.actor, platform.current().clock.now(), call.body)
    call.session.flush()
    call.session.refresh(reservation)
    return reservation_read(reservation)


@api.endpoint_route("/reservations", "GET", module=Module.RESERVATIONS, permission=Permission.READ)
def list_reservations(call: Call) -> list[dict[str, object]]:
    """The organization's reservations, newest first."""
    return [reservation_read(r).model_dump(mode="json") for r in service.list_for(call.session, call.actor)]


@api.endpoint_route(
    "/reservations/<uuid:reservation_id>",
    "GET",
    module=Module.RESERVATIONS,
    permission=Permission.READ,
    response=ReservationRead,
)
def get_reservation(call: Call, reservation_id: uuid.UUID) -> ReservationRead:
    """One reservation with its devices."""
    return reservation_read(service.get(call.session, call.actor, reservation_id))
