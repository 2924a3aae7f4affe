"""Devices made through the device service."""

from datetime import date
from decimal import Decimal

from dapp import platform
from dapp.devices import service
from dapp.devices.models import Device
from dapp.devices.schemas import DeviceCreate
from tests.factories.accounts import Org


def make_device(
    org: Org,
    external_id: str = "DEV-1",
    capacity_kw: str = "5",
    country: str = "KEN",
    commissioning: date = date(2026, 1, 15),
    **extra: object,
) -> Device:
    p = platform.current()
    fields = {"latitude": Decimal("-1.2921"), "longitude": Decimal("36.8219"), **extra}
    with p.db.unit_of_work() as session:
        return service.create(
            session,
            org.actor,
            p.clock.now(),
            DeviceCreate(
                external_id=external_id,
                country_code=country,
                commissioning_date=commissioning,
                capacity_kw=Decimal(capacity_kw),
                fuel_code="ES100",
                device_type_code="TC120",
                **fields,
            ),
        )


# Longyearbyen, Svalbard: in June the sun never sets, so reads at any hour pass the clear-sky check (R-READ-8).
# Issuance tests use it to place reads at any hour of the day without tripping physical plausibility.
MIDNIGHT_SUN = {"country": "NOR", "latitude": Decimal("78.2232"), "longitude": Decimal("15.6267")}
