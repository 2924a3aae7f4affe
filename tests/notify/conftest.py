"""Notifications are tested on the reservations' small market."""

from tests.reservations.conftest import market  # noqa: F401 - the fixture, shared
