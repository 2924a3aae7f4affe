"""Steps of webhook tests through the API."""

from typing import Any

from flask import Flask

from tests.factories.accounts import Org
from tests.support.workers import run_jobs


def register(app: Flask, org: Org, url: str, events: list[str], **extra: Any) -> Any:
    return app.test_client().post("/api/v1/webhooks", json={"url": url, "events": events, **extra}, headers=org.auth)


def registered(app: Flask, org: Org, url: str, events: list[str]) -> dict[str, Any]:
    response = register(app, org, url, events)
    assert response.status_code == 201, response.json
    return response.json


def deliveries(app: Flask, org: Org, endpoint_id: str) -> list[dict[str, Any]]:
    response = app.test_client().get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=org.auth)
    assert response.status_code == 200, response.json
    return response.json["items"]


def send_webhooks() -> None:
    """Work the webhooks queue: fan-out, then the tries it asked for."""
    run_jobs(("webhooks",))
