"""Importing an export of the original D-REC platform: its devices (JSON, the fields of its `POST /device`) and
its history reads (CSV or JSON with the fields of its read body), with one report line per row (R-READ-2).

Each device is registered on its own (one refused device leaves the others), as the organization's admin would;
each read is sent through the compatibility mapping (`ingestion.from_drec`), so it is judged exactly as the
original's route would be judged here. Nothing is stored of a refused row; the report says why.
"""

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.devices.schemas import DeviceCreate
from dapp.devices.service import registry
from dapp.errors import DomainError
from dapp.reads.schemas import DrecReadBatchCreate
from dapp.reads.service import ingestion
from dapp.reads.validation import Policy

# the original's device fields → ours (fields it had that we do not keep are left out, and reported)
DEVICE_FIELDS = {
    "externalId": "external_id",
    "projectName": "project_name",
    "address": "address",
    "latitude": "latitude",
    "longitude": "longitude",
    "countryCode": "country_code",
    "fuelCode": "fuel_code",
    "deviceTypeCode": "device_type_code",
    "capacity": "capacity_kw",
    "commissioningDate": "commissioning_date",
    "gridInterconnection": "grid_interconnection",
    "offTaker": "off_taker",
    "impactStory": "impact_story",
    "deviceDescription": "device_description",
    "energyStorage": "energy_storage",
    "energyStorageCapacity": "energy_storage_capacity_kwh",
    "qualityLabels": "quality_labels",
    "SDGBenefits": "sdg_benefits",
    "yieldValue": "yield_kwh_per_kwp",
}


@dataclass(frozen=True)
class RowReport:
    row: int  # 1-based, as a person counts the rows of the file
    external_id: str
    outcome: str  # registered, accepted, flagged, baseline, refused
    detail: str

    def line(self) -> str:
        return f"row {self.row} {self.external_id or '?'}: {self.outcome}{' — ' + self.detail if self.detail else ''}"


def devices_from(text: str) -> list[dict[str, Any]]:
    """The devices of the original's export: a JSON array, or an object holding one under `devices`."""
    data = json.loads(text)
    rows = data.get("devices", []) if isinstance(data, dict) else data
    return [row for row in rows if isinstance(row, dict)]


def reads_from(text: str) -> list[dict[str, Any]]:
    """The reads of the original's export: a JSON array, or CSV with a header row (externalId, type, unit,
    timezone, starttimestamp, endtimestamp, value)."""
    if text.lstrip().startswith("["):
        return [row for row in json.loads(text) if isinstance(row, dict)]
    return list(csv.DictReader(io.StringIO(text)))


def import_devices(session: Session, actor: Actor, now: datetime, rows: list[dict[str, Any]]) -> list[RowReport]:
    return [_device(session, actor, now, n, row) for n, row in enumerate(rows, start=1)]


def _device(session: Session, actor: Actor, now: datetime, n: int, row: dict[str, Any]) -> RowReport:
    external_id = str(row.get("externalId", "")).strip()
    values = {ours: row[theirs] for theirs, ours in DEVICE_FIELDS.items() if row.get(theirs) not in (None, "")}
    if isinstance(values.get("commissioning_date"), str):
        values["commissioning_date"] = values["commissioning_date"][:10]  # the original sent full ISO times
    if isinstance(values.get("sdg_benefits"), str):
        values["sdg_benefits"] = [s.strip() for s in values["sdg_benefits"].split(",") if s.strip()]
    ignored = sorted(k for k in row if k not in DEVICE_FIELDS and row[k] not in (None, ""))
    try:
        with session.begin_nested():
            registry.create(session, actor, now, DeviceCreate(**values))
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors(include_url=False))
        return RowReport(n, external_id, "refused", problems)
    except DomainError as error:
        return RowReport(n, external_id, "refused", _reason(error))
    return RowReport(n, external_id, "registered", f"not imported: {', '.join(ignored)}" if ignored else "")


def import_reads(session: Session, actor: Actor, rows: list[dict[str, Any]], policy: Policy) -> list[RowReport]:
    return [_read(session, actor, n, row, policy) for n, row in enumerate(rows, start=1)]


def _read(session: Session, actor: Actor, n: int, row: dict[str, Any], policy: Policy) -> RowReport:
    external_id = str(row.get("externalId", "")).strip()
    try:
        body = DrecReadBatchCreate(
            type=row.get("type") or "History",
            unit=row.get("unit") or "Wh",
            timezone=row.get("timezone") or None,
            reads=[{k: row.get(k) for k in ("starttimestamp", "endtimestamp", "value")}],
        )
        with session.begin_nested():
            result = ingestion.record_drec_batch(session, actor, external_id, body, policy)
    except ValidationError as error:
        return RowReport(n, external_id, "refused", "; ".join(e["msg"] for e in error.errors(include_url=False)))
    except DomainError as error:
        return RowReport(n, external_id, "refused", _reason(error))
    [outcome] = result["results"]
    return RowReport(n, external_id, outcome.status, outcome.detail or "")


def _reason(error: DomainError) -> str:
    results = error.extra.get("results")
    if results:
        return "; ".join(str(r.get("detail") or r.get("reason_code")) for r in results)
    return error.detail
