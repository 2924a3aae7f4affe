"""A small market: two developers with devices in two countries, and a buyer; the clock at NOW."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from dapp import platform
from dapp.models.accounts import OrganizationType
from dapp.models.devices import Device
from tests.factories.accounts import Org, make_org
from tests.factories.devices import make_device

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@dataclass
class Market:
    developer: Org
    devices: list[Device]
    other_developer: Org
    other_devices: list[Device]
    buyer: Org


@pytest.fixture
def market(app) -> Market:
    platform.current().clock.set(NOW)
    developer = make_org("Sunny Developers")
    devices = [
        make_device(developer, "SUN-1", capacity_kw="5", off_taker="School", sdg_benefits=["SDG7"]),
        make_device(developer, "SUN-2", capacity_kw="50", off_taker="Residential", sdg_benefits=["SDG4", "SDG7"]),
    ]
    other = make_org("Lake Power")
    other_devices = [
        make_device(
            other,
            "LAKE-1",
            capacity_kw="20",
            country="UGA",
            latitude="0.3476",
            longitude="32.5825",
            off_taker="School",
            sdg_benefits=["SDG13"],
            yield_kwh_per_kwp="1500",
        )
    ]
    buyer = make_org("Green Buyer", OrganizationType.BUYER)
    return Market(developer, devices, other, other_devices, buyer)
