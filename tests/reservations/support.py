"""HTTP steps of reservation tests."""

from datetime import datetime, timedelta
from typing import Any

from flask import Flask

from dapp import platform
from dapp.issuance.service import windows as issuance
from dapp.models.devices import Device
from tests.factories.accounts import Org
from tests.reservations.conftest import NOW


def call(app: Flask, org: Org, method: str, path: str, body: Any = None) -> Any:
    return app.test_client().open(path, method=method, json=body, headers=org.auth)


def reserve(
    app: Flask, buyer: Org, devices: list[Device], start: datetime = NOW, end: datetime | None = None, **extra: Any
) -> Any:
    body = {
        "name": extra.pop("name", "Kenya schools"),
        "start": start.isoformat(),
        "end": (end or start + timedelta(days=30)).isoformat(),
        "frequency": extra.pop("frequency", "daily"),
        "authority_to_exceed": extra.pop("authority_to_exceed", True),
        "device_ids": [str(d.id) for d in devices],
        **extra,
    }
    return call(app, buyer, "POST", "/api/v1/reservations", body)


def send_daylight_reads(app: Flask, developer: Org, device: Device, hours: int = 2, wh: int = 500) -> None:
    """A baseline just after NOW, then `hours` hourly delta reads of `wh` (Nairobi afternoon: plausible)."""
    clock = platform.current().clock
    clock.set(NOW + timedelta(hours=hours, minutes=30))
    reads = [{"end": (NOW + timedelta(minutes=10)).isoformat(), "value": 100}] + [
        {"end": (NOW + timedelta(hours=h)).isoformat(), "value": wh} for h in range(1, hours + 1)
    ]
    response = call(
        app,
        developer,
        "POST",
        f"/api/v1/devices/{device.external_id}/reads",
        {"type": "delta", "unit": "Wh", "reads": reads},
    )
    assert response.status_code == 200, response.json
    assert response.json["rejected"] == 0, response.json


def certify_until(until: datetime) -> int:
    """Move the clock to `until` and certify every closed window; returns the number of certificates."""
    p = platform.current()
    p.clock.set(until)
    with p.db.unit_of_work() as session:
        return len(issuance.run_until(session, until, until))
