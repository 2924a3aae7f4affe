"""The test run's I-REC registry simulator (a real process, started with the other services in conftest)."""

from typing import Any

import requests

from dapp import platform
from dapp.irec import jobs


def behave(**changes: Any) -> None:
    """Change what the simulator does with the next requests (approval delay, rejection, shortfall, serials)."""
    settings = platform.current().settings
    response = requests.post(
        f"{settings.irec_registry_url}/_simulator/behaviour",
        json=changes,
        headers={"Authorization": f"Bearer {settings.irec_registry_token}"},
        timeout=5,
    )
    response.raise_for_status()


def reset() -> None:
    behave(approval_delay_seconds=0, reject_with=None, shortfall_mwh=0)


def sync() -> dict[str, int]:
    """Run the registry job as a worker would."""
    return jobs.sync_registry_job()


def behaviour() -> dict[str, Any]:
    settings = platform.current().settings
    response = requests.get(
        f"{settings.irec_registry_url}/_simulator/behaviour",
        headers={"Authorization": f"Bearer {settings.irec_registry_token}"},
        timeout=5,
    )
    response.raise_for_status()
    return dict(response.json())
