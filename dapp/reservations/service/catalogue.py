"""The device catalogue buyers reserve from (R-RES-2): reservable devices of every developer, filters, groups
that span organizations, and the expected energy of a selection next to the buyer's target.

Expected annual energy = capacity (kW) × yield (kWh/kWp/year: the device's own value, else its country's configured
value, else the platform default) × 1000 Wh; for a period it is scaled by the period's hours / 8760. It is an
estimate for planning, not a promise.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, case, extract, func, literal_column, tuple_
from sqlalchemy.orm import Session

from dapp import codes
from dapp.models.accounts import Organization
from dapp.models.devices import Device
from dapp.models.reads import CountryYield
from dapp.reservations.params import invalid_filters
from dapp.reservations.schemas import CatalogueQuery, GroupBy, ReservationQuery
from dapp.reservations.service.availability import reservable_devices_query
from dapp.reservations.service.creation import target_wh

HOURS_PER_YEAR = 8760
CAPACITY_RANGES = [
    (Decimal(1), "< 1 kW"),
    (Decimal(10), "1–10 kW"),
    (Decimal(100), "10–100 kW"),
    (Decimal(1000), "100–1,000 kW"),
]
LARGEST_RANGE = "≥ 1,000 kW"
GROUP_COLUMNS: dict[GroupBy, Any] = {
    GroupBy.COUNTRY: Device.country_code,
    GroupBy.FUEL: Device.fuel_code,
    GroupBy.DEVICE_TYPE: Device.device_type_code,
    GroupBy.OFF_TAKER: Device.off_taker,
    # Literal thresholds: the same SQL text in SELECT and GROUP BY (bound parameters would differ).
    GroupBy.CAPACITY: case(
        *[
            (Device.capacity_kw < literal_column(str(limit)), literal_column(str(index)))
            for index, (limit, _) in enumerate(CAPACITY_RANGES)
        ],
        else_=literal_column(str(len(CAPACITY_RANGES))),
    ),
    GroupBy.COMMISSIONING_YEAR: extract("year", Device.commissioning_date),
}


@dataclass(frozen=True)
class Outlook:
    device_count: int
    organization_count: int
    capacity_kw: Decimal
    expected_annual_wh: int
    expected_period_wh: int | None
    target_wh: int | None

    @property
    def reachable(self) -> bool | None:
        if self.expected_period_wh is None or self.target_wh is None:
            return None
        return self.expected_period_wh >= self.target_wh


@dataclass(frozen=True)
class Group:
    key: dict[str, str | None]
    label: str
    outlook: Outlook


def check_codes(query: CatalogueQuery | ReservationQuery) -> None:
    """Unknown codes in filters are refused with the accepted values (a typo must not look like 'no devices')."""
    accepted = {
        "fuel": list(codes.FUELS),
        "off_taker": codes.OFF_TAKERS,
        "sdg": list(codes.SDGS),
        "device_type": list(codes.DEVICE_TYPES),
    }
    errors = [
        {
            "field": name,
            "code": "unknown_value",
            "message": f"Unknown value(s) {', '.join(bad)}; accepted: {', '.join(values)}.",
        }
        for name, values in accepted.items()
        if (bad := [v for v in getattr(query, name, []) if v not in values])
    ]
    errors += [
        {"field": "country", "code": "unknown_value", "message": f"Unknown country '{code}': use ISO 3166-1 alpha-3."}
        for code in query.country
        if codes.country_name(code) is None
    ]
    if errors:
        raise invalid_filters(errors)


def devices_page(
    session: Session, now: datetime, query: CatalogueQuery, default_yield: Decimal
) -> list[tuple[Device, str, int]]:
    """(device, developer organization name, expected annual Wh) of one page of the filtered catalogue, ordered by
    the grouping attributes first (`groups` counts them)."""
    check_codes(query)
    order = [GROUP_COLUMNS[g] for g in query.group_by] + [Device.country_code, Device.external_id, Device.id]
    rows = session.execute(
        _filtered(now, query)
        .join(Organization, Organization.id == Device.organization_id)
        .add_columns(Organization.name, _expected_annual_wh(default_yield))
        .order_by(*order)
        .limit(query.size)
        .offset((query.page - 1) * query.size)
    )
    return [(device, name, int(wh)) for device, name, wh in rows]


def groups(
    session: Session, now: datetime, query: CatalogueQuery, default_yield: Decimal
) -> tuple[list[Group], Outlook]:
    """One group per combination of the grouping attributes (across organizations), and the whole selection, in
    one pass (GROUPING SETS)."""
    check_codes(query)
    filtered = _filtered(now, query)
    if not query.group_by:
        return [], _outlook(session.execute(filtered.with_only_columns(*totals_columns(default_yield))).one(), query)
    statement = grouped(filtered, query.group_by, default_yield)
    result, total = [], None
    for row in session.execute(statement):
        if row.is_total:
            total = row
            continue
        key = {g.value: _key_value(g, row._mapping[g.value]) for g in query.group_by}
        result.append(Group(key, _label(key), _outlook(row, query)))
    if total is None:  # PostgreSQL always returns the () set; an empty catalogue gives a row of zeros
        total = session.execute(filtered.with_only_columns(*totals_columns(default_yield))).one()
    return result, _outlook(total, query)


def grouped(devices: Select[tuple[Device]], group_by: list[GroupBy], default_yield: Decimal) -> Select[Any]:
    """Totals per group of `devices` plus a row of grand totals (`is_total`), in one pass."""
    expressions = [GROUP_COLUMNS[g] for g in group_by]
    return (
        devices.with_only_columns(
            *[e.label(g.value) for e, g in zip(expressions, group_by, strict=True)],
            func.grouping(*expressions).label("is_total"),
            *totals_columns(default_yield),
        )
        .group_by(func.grouping_sets(tuple_(*expressions), tuple_()))
        .order_by(*expressions)
    )


def estimate(
    session: Session,
    now: datetime,
    device_ids: set[uuid.UUID],
    period: tuple[datetime, datetime] | None,
    target_volume_mwh: Decimal | None,
    default_yield: Decimal,
) -> tuple[Outlook, set[uuid.UUID]]:
    """The expected energy of the reservable devices among `device_ids`, and the ids that are not reservable."""
    reservable = with_yields(reservable_devices_query(now).where(Device.id.in_(device_ids)))
    row = session.execute(reservable.with_only_columns(*totals_columns(default_yield))).one()
    found = set(session.scalars(reservable.with_only_columns(Device.id)))
    return outlook(row, period, target_wh(target_volume_mwh)), device_ids - found


def _filtered(now: datetime, query: CatalogueQuery) -> Select[tuple[Device]]:
    return with_yields(reservable_devices_query(now).where(*device_conditions(query)))


def with_yields(devices: Select[tuple[Device]]) -> Select[tuple[Device]]:
    """The devices with their country's configured yield (if any), for `_expected_annual_wh`."""
    return devices.outerjoin(CountryYield, CountryYield.country_code == Device.country_code)


def device_conditions(query: CatalogueQuery) -> list[Any]:
    """The filters on device attributes (the catalogue adds reservability)."""
    lists = {
        Device.country_code: query.country,
        Device.fuel_code: query.fuel,
        Device.device_type_code: query.device_type,
        Device.off_taker: query.off_taker,
    }
    conditions: list[Any] = [column.in_(values) for column, values in lists.items() if values]
    if query.sdg:
        conditions.append(Device.sdg_benefits.overlap(query.sdg))
    if query.capacity_min is not None:
        conditions.append(Device.capacity_kw >= query.capacity_min)
    if query.capacity_max is not None:
        conditions.append(Device.capacity_kw <= query.capacity_max)
    if query.commissioned_from is not None:
        conditions.append(Device.commissioning_date >= query.commissioned_from)
    if query.commissioned_to is not None:
        conditions.append(Device.commissioning_date <= query.commissioned_to)
    return conditions


def _expected_annual_wh(default_yield: Decimal) -> Any:
    """Per device: capacity × (its own yield, else its country's, else the platform default) × 1000 Wh."""
    yield_ = func.coalesce(Device.yield_kwh_per_kwp, CountryYield.yield_kwh_per_kwp, default_yield)
    return func.floor(Device.capacity_kw * yield_ * 1000)


def totals_columns(default_yield: Decimal) -> list[Any]:
    return [
        func.count(Device.id).label("device_count"),
        func.count(func.distinct(Device.organization_id)).label("organization_count"),
        func.coalesce(func.sum(Device.capacity_kw), 0).label("capacity_kw"),
        func.coalesce(func.sum(_expected_annual_wh(default_yield)), 0).label("expected_annual_wh"),
    ]


def _outlook(row: Any, query: CatalogueQuery) -> Outlook:
    period = (query.start, query.end) if query.start and query.end else None
    return outlook(row, period, target_wh(query.target_volume_mwh))


def outlook(row: Any, period: tuple[datetime, datetime] | None, target: int | None) -> Outlook:
    annual = int(row.expected_annual_wh)
    in_period = None
    if period is not None:
        seconds = int((period[1] - period[0]).total_seconds())
        in_period = annual * seconds // (HOURS_PER_YEAR * 3600)
    return Outlook(
        int(row.device_count), int(row.organization_count), Decimal(row.capacity_kw), annual, in_period, target
    )


def _key_value(group_by: GroupBy, value: Any) -> str | None:
    if value is None:
        return None
    if group_by == GroupBy.CAPACITY:
        return CAPACITY_RANGES[int(value)][1] if int(value) < len(CAPACITY_RANGES) else LARGEST_RANGE
    if group_by == GroupBy.COMMISSIONING_YEAR:
        return str(int(value))
    return str(value)


def _label(key: dict[str, str | None]) -> str:
    names = {"fuel": codes.FUELS, "device_type": codes.DEVICE_TYPES}
    parts = []
    for attribute, value in key.items():
        if value is None:
            parts.append("no off-taker" if attribute == "off_taker" else "—")
        elif attribute == "country":
            parts.append(codes.country_name(value) or value)
        else:
            parts.append(names.get(attribute, {}).get(value, value))
    return " · ".join(parts) or "All devices"


def group_key(device: Device, group_by: list[GroupBy]) -> tuple[str | None, ...]:
    """The key of the group a device falls in (the same values `groups` gives), to show devices under it."""
    values = {
        GroupBy.COUNTRY: device.country_code,
        GroupBy.FUEL: device.fuel_code,
        GroupBy.DEVICE_TYPE: device.device_type_code,
        GroupBy.OFF_TAKER: device.off_taker,
        GroupBy.CAPACITY: next(
            (index for index, (limit, _) in enumerate(CAPACITY_RANGES) if device.capacity_kw < limit),
            len(CAPACITY_RANGES),
        ),
        GroupBy.COMMISSIONING_YEAR: device.commissioning_date.year,
    }
    return tuple(_key_value(g, values[g]) for g in group_by)
