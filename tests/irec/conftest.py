"""I-REC tests: the simulator's behaviour back to its defaults before each test that uses the platform."""

import pytest

from tests.support import irec


@pytest.fixture(autouse=True)
def _simulator_defaults(request: pytest.FixtureRequest) -> None:
    if "app" in request.fixturenames:
        request.getfixturevalue("app")
        irec.reset()
