"""The device form: turning submitted fields into the create/update schemas, and what the template needs."""

from typing import Any

from flask import request

from dapp import codes
from dapp.devices import rules, timezones
from dapp.devices.schemas import DeviceCreate, DeviceUpdate
from dapp.models.devices import Device
from dapp.web.pages import parse_form

CHECKBOXES = ("grid_interconnection", "energy_storage")
EDITABLE = rules.FIELDS


def submitted() -> dict[str, Any]:
    """The form's values as the schemas expect them: text fields trimmed, checkboxes as booleans, SDGs as a list."""
    values: dict[str, Any] = {
        name: request.form[name].strip() for name in EDITABLE if name in request.form and name not in CHECKBOXES
    }
    values["sdg_benefits"] = request.form.getlist("sdg_benefits")
    for name in CHECKBOXES:
        values[name] = name in request.form
    return values


def parse_create(values: dict[str, Any]) -> DeviceCreate:
    return parse_form(DeviceCreate, {k: v for k, v in values.items() if v != ""})


def parse_update(values: dict[str, Any]) -> DeviceUpdate:
    """Every field shown is sent: an emptied optional field is cleared (fields locked by certification are not
    in the form)."""
    return parse_form(DeviceUpdate, {k: (None if v == "" else v) for k, v in values.items()})


def device_values(device: Device) -> dict[str, Any]:
    """A device's values as the form shows them."""
    values = {name: getattr(device, name) for name in EDITABLE}
    return {k: ("" if v is None else v if isinstance(v, bool | list) else str(v)) for k, v in values.items()}


def choices(values: dict[str, Any], projects: list[tuple[str, str]]) -> dict[str, Any]:
    """The options of the form's pickers; time zones are those of the chosen country (R-TZ-3)."""
    country = str(values.get("country_code") or "")
    return {
        "countries": codes.countries(),
        "fuels": codes.FUELS,
        "device_types": codes.DEVICE_TYPES,
        "off_takers": [(name, name) for name in codes.OFF_TAKERS],
        "descriptions": [(name, name) for name in codes.DEVICE_DESCRIPTIONS],
        "sdgs": codes.SDGS,
        "zones": timezones.country_zones(country) if len(country) == 3 else [],
        "projects": projects,
    }
