"""A developer organization with a 5 kW device in Nairobi onboarded at ONBOARDED; the clock two days later."""

from datetime import UTC, datetime, timedelta

import pytest

from dapp import platform
from tests.factories.accounts import make_org
from tests.factories.devices import make_device

ONBOARDED = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # 13:00 in Nairobi
NOW = ONBOARDED + timedelta(days=2)


def at(hours: float) -> datetime:
    return ONBOARDED + timedelta(hours=hours)


@pytest.fixture
def developer(app):
    clock = platform.current().clock
    clock.set(ONBOARDED)
    org = make_org("Sunny")
    make_device(org, "DEV-1")
    clock.set(NOW)
    return org
