"""Webhook tests: a real local receiver, and private addresses allowed (as in development) unless a test says."""

from collections.abc import Iterator

import pytest

from dapp import platform
from tests.reservations.conftest import market  # noqa: F401 - the fixture, shared
from tests.webhooks.receiver import Receiver, running_receiver


@pytest.fixture
def allow_private(app) -> Iterator[None]:
    settings = platform.current().settings
    settings.webhooks_allow_private_addresses = True
    settings.webhook_timeout_seconds = 1
    yield
    settings.webhooks_allow_private_addresses = False
    settings.webhook_timeout_seconds = 10


@pytest.fixture
def receiver(allow_private) -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running
