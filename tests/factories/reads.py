"""Meter reads sent through the HTTP API, and small helpers to build request bodies."""

from datetime import datetime
from typing import Any

from sqlalchemy import select

from dapp import platform
from dapp.models.reads import MeterRead
from tests.factories.accounts import Org


def post_reads(app, org: Org, body: dict[str, Any], external_id: str = "DEV-1", query: str = "", headers=None):
    return app.test_client().post(
        f"/api/v1/devices/{external_id}/reads{query}", json=body, headers={**org.auth, **(headers or {})}
    )


def ongoing(read_type: str, *reads: tuple[datetime, int | str], unit: str = "Wh") -> dict[str, Any]:
    return {"type": read_type, "unit": unit, "reads": [{"end": end.isoformat(), "value": v} for end, v in reads]}


def history(*reads: tuple[datetime, datetime, int], unit: str = "Wh") -> dict[str, Any]:
    return {
        "type": "history",
        "unit": unit,
        "reads": [{"start": s.isoformat(), "end": e.isoformat(), "value": v} for s, e, v in reads],
    }


def stored_reads() -> list[MeterRead]:
    with platform.current().db.unit_of_work() as session:
        return list(session.scalars(select(MeterRead).order_by(MeterRead.period_end)))
