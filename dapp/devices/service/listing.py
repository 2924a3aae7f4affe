"""My devices (R-DEV-5): the filters and order of the device list, shared by the page, the API and the CSV export.

Every filter is a plain indexed predicate on the organization's devices: the list of 100,000 devices is served
from the `(organization_id, <sort column>)` indexes and the GIN index on SDG benefits (see bench/device_list.py).
"""

import csv
import io
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, and_, exists, func, select

from dapp.devices import rules
from dapp.devices.schemas import DeviceQuery, ReservationFilter, SortField
from dapp.errors import InvalidFilter
from dapp.models.devices import Device
from dapp.models.reservations import ReservationDevice

EXPORT_COLUMNS = (*(field for field in rules.FIELDS if field != "project_id"), "onboarded_at", "id")
FORMULA_STARTS = ("=", "+", "@", "\t", "\r")


def parse_query(args: Mapping[str, Any]) -> DeviceQuery:
    """Filters from query arguments (repeated or comma-separated lists; empty values ignored); 422 when wrong."""
    data: dict[str, Any] = {}
    for name in DeviceQuery.model_fields:
        if name in DeviceQuery.list_fields():
            raw = args.getlist(name) if hasattr(args, "getlist") else [args.get(name) or ""]
            items = [item.strip() for value in raw for item in value.split(",") if item.strip()]
            if items:
                data[name] = items
        elif (args.get(name) or "").strip():
            data[name] = args[name].strip()
    unknown = sorted(set(args) - set(DeviceQuery.model_fields) - {"page", "size"})
    try:
        if unknown:
            data.update(dict.fromkeys(unknown, ""))  # extra="forbid" names them
        return DeviceQuery.model_validate(data)
    except ValidationError as error:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "code": e["type"], "message": e["msg"]}
            for e in error.errors(include_url=False)
        ]
        raise InvalidFilter("Some filters are not valid.", errors=errors) from error


def filtered(organization_id: uuid.UUID, query: DeviceQuery, now: datetime | None) -> Select[tuple[Device]]:
    """The organization's devices matching `query`, in its order (ties broken by id)."""
    statement = select(Device).where(Device.organization_id == organization_id, *_conditions(query, now))
    column = getattr(Device, query.sort.value)
    if query.sort == SortField.EXTERNAL_ID:
        column = func.lower(column)  # the order of the unique index, as people expect (case-insensitive)
    # Plain ASC/DESC (PostgreSQL's null placement) so that the sort indexes serve the order, forwards or backwards.
    if query.order == "desc":
        return statement.order_by(column.desc(), Device.id.desc())
    return statement.order_by(column.asc(), Device.id.asc())


def _conditions(query: DeviceQuery, now: datetime | None) -> Iterator[Any]:
    simple = {
        "country": Device.country_code,
        "device_type": Device.device_type_code,
        "off_taker": Device.off_taker,
    }
    for name, column in simple.items():
        values = getattr(query, name)
        if values:
            yield column.in_(values)
    if query.capacity_min is not None:
        yield Device.capacity_kw >= query.capacity_min
    if query.capacity_max is not None:
        yield Device.capacity_kw <= query.capacity_max
    if query.sdg:
        yield Device.sdg_benefits.overlap(query.sdg)
    if query.commissioned_from is not None:
        yield Device.commissioning_date >= query.commissioned_from
    if query.commissioned_to is not None:
        yield Device.commissioning_date <= query.commissioned_to
    if query.reservation is not None and now is not None:
        reserved = exists().where(and_(ReservationDevice.device_id == Device.id, ReservationDevice.active_until > now))
        yield reserved if query.reservation == ReservationFilter.RESERVED else ~reserved


def export_statement(organization_id: uuid.UUID, query: DeviceQuery, now: datetime | None) -> Select[Any]:
    """The export's columns of the filtered list, in the list's order (plain rows, no ORM objects)."""
    return filtered(organization_id, query, now).with_only_columns(
        *(getattr(Device, column) for column in EXPORT_COLUMNS)
    )


def csv_rows(rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV export (header first), one line per device, in the upload template's column names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    yield _drain(buffer)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
        yield _drain(buffer)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text  # a spreadsheet must not run a cell as a formula


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
