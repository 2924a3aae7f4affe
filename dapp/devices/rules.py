"""The field rules of a device (R-DEV-2, R-DEV-4), shared by the form, the API and the bulk upload.

`check` looks at a device's values all at once and returns every problem (not only the first), each naming
its field and, for code lists, the accepted values. It also brings codes to their canonical spelling and
fills in the time zone. The bulk upload uses the split between mandatory and optional fields to decide
between "Success with validation errors" and "Failed".
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dapp import codes
from dapp.devices import timezones
from dapp.devices.errors import FIELD_RULES
from dapp.errors import DomainError, Invalid

BROKEN_RULE = {error.code: error for error in FIELD_RULES}
MANDATORY = ("external_id", "country_code", "commissioning_date", "capacity_kw", "fuel_code", "device_type_code")
LOCATION = ("country_code", "latitude", "longitude", "timezone")

LABELS = {
    "external_id": "External id",
    "project_name": "Project name",
    "project_id": "Project",
    "country_code": "Country",
    "commissioning_date": "Commissioning date",
    "capacity_kw": "Capacity (kW)",
    "fuel_code": "Fuel code",
    "device_type_code": "Device type code",
    "off_taker": "Off-taker",
    "device_description": "Device description",
    "impact_story": "Impact story",
    "sdg_benefits": "SDG benefits",
    "address": "Address",
    "quality_labels": "Quality labels",
    "grid_interconnection": "Grid interconnection",
    "energy_storage": "Energy storage",
    "energy_storage_capacity_kwh": "Energy storage capacity (kWh)",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "timezone": "Time zone",
    "yield_kwh_per_kwp": "Yield (kWh/kWp/year)",
}

FIELDS = tuple(LABELS)  # a device's own fields, in the order forms show them

CODE_LISTS: dict[str, list[str]] = {
    "fuel_code": list(codes.FUELS),
    "device_type_code": list(codes.DEVICE_TYPES),
    "off_taker": codes.OFF_TAKERS,
    "device_description": codes.DEVICE_DESCRIPTIONS,
}


@dataclass(frozen=True)
class Problem:
    """One field that breaks a rule, in a sentence a person can act on."""

    field: str
    code: str
    message: str

    def as_error(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


def check(values: dict[str, Any], onboarded_at: datetime, *, resolve_timezone: bool = True) -> list[Problem]:
    """Every problem of `values` (a device's complete values); canonicalises codes and sets `timezone`."""
    problems = [*_code_lists(values), *sdg_problems(values), *_storage(values), *_coordinates(values)]
    country_ok = _country(values, problems)
    if resolve_timezone and country_ok:
        _timezone(values, problems)
    _commissioning(values, onboarded_at, problems)
    return problems


def invalid(field: str, code: str, message: str) -> Invalid:
    """The error of one field that breaks the rule `code`."""
    return BROKEN_RULE[code](message, errors=[{"field": field, "code": code, "message": message}])


def code_problems(values: dict[str, Any]) -> list[Problem]:
    """Only the code-list problems (country, fuel, type, off-taker, description, SDGs) of partial values."""
    problems = [*_code_lists(values), *sdg_problems(values)]
    _country(values, problems)
    return problems


def raise_if_any(problems: list[Problem]) -> None:
    """An `Invalid` error naming every field when there are problems."""
    if not problems:
        return
    errors = [p.as_error() for p in problems]
    if len(problems) == 1:
        raise BROKEN_RULE[problems[0].code](problems[0].message, errors=errors)
    raise Invalid(" ".join(p.message for p in problems), errors=errors)


def canonical(value: str, accepted: list[str]) -> str | None:
    """The accepted spelling of `value`, matched without regard to case or surrounding spaces."""
    wanted = value.strip().casefold()
    return next((option for option in accepted if option.casefold() == wanted), None)


def unknown_value(field: str, value: object, accepted: list[str]) -> Problem:
    return Problem(
        field,
        "unknown_value",
        f"{LABELS.get(field, field)} '{value}' is not accepted; accepted values: {', '.join(accepted)}.",
    )


def _code_lists(values: dict[str, Any]) -> list[Problem]:
    problems = []
    for field, accepted in CODE_LISTS.items():
        value = values.get(field)
        if value is None:
            continue
        found = canonical(str(value), accepted)
        if found is None:
            problems.append(unknown_value(field, value, accepted))
        else:
            values[field] = found
    return problems


def sdg_problems(values: dict[str, Any]) -> list[Problem]:
    given = values.get("sdg_benefits") or []
    unknown = [code for code in given if code not in codes.SDGS]
    if unknown:
        return [unknown_value("sdg_benefits", ", ".join(unknown), list(codes.SDGS))]
    values["sdg_benefits"] = sorted(set(given), key=lambda code: int(code[3:]))
    return []


def _storage(values: dict[str, Any]) -> list[Problem]:
    if values.get("energy_storage_capacity_kwh") is not None and not values.get("energy_storage"):
        message = "An energy storage capacity is only accepted when energy storage is 'yes'."
        return [Problem("energy_storage_capacity_kwh", "storage_capacity_without_storage", message)]
    return []


def _coordinates(values: dict[str, Any]) -> list[Problem]:
    given = [name for name in ("latitude", "longitude") if values.get(name) is not None]
    if len(given) == 1:
        missing = "longitude" if given == ["latitude"] else "latitude"
        message = "Latitude and longitude go together: give both (decimal degrees) or neither."
        return [Problem(missing, "coordinates_incomplete", message)]
    return []


def _country(values: dict[str, Any], problems: list[Problem]) -> bool:
    code = values.get("country_code")
    if code is None:
        return False
    if codes.country_name(code) is None:
        message = (
            f"Country '{code}' is not an ISO 3166-1 alpha-3 code (for example KEN for Kenya, NGA for Nigeria, "
            "IND for India); the upload template lists every accepted code."
        )
        problems.append(Problem("country_code", "unknown_country", message))
        return False
    values["country_code"] = code.upper()
    return True


def _timezone(values: dict[str, Any], problems: list[Problem]) -> None:
    if any(p.field in ("latitude", "longitude") for p in problems):
        return
    try:
        values["timezone"] = timezones.resolve(
            values["country_code"], values.get("latitude"), values.get("longitude"), values.get("timezone")
        )
    except DomainError as error:
        for item in error.extra.get("errors", []):
            problems.append(Problem(item["field"], item["code"], item["message"]))


def _commissioning(values: dict[str, Any], onboarded_at: datetime, problems: list[Problem]) -> None:
    commissioning = values.get("commissioning_date")
    if commissioning is None:
        return
    onboarding_day = onboarded_at.astimezone(ZoneInfo(values.get("timezone") or "UTC")).date()
    if commissioning > onboarding_day:
        message = (
            f"The commissioning date {commissioning} is after the onboarding date {onboarding_day}: "
            "a device is commissioned before it is registered, never in the future."
        )
        problems.append(Problem("commissioning_date", "commissioning_in_future", message))
