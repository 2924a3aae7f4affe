"""The columns of the bulk-upload CSV: which are required, what each accepts, an example row.

The same descriptions feed the downloadable template, the accepted-values list, the upload page and the
sentences of the job log, so a column is explained the same way everywhere.
"""

import csv
import io
from dataclasses import dataclass, field

from dapp import codes


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    accepts: str  # completes "write …"
    example: str
    values: list[tuple[str, str]] = field(default_factory=list)  # (value, meaning) for code lists


def _codes(mapping: dict[str, str]) -> list[tuple[str, str]]:
    return list(mapping.items())


def _names(names: list[str]) -> list[tuple[str, str]]:
    return [(name, name) for name in names]


COLUMNS = [
    Column("external_id", True, "1 to 64 characters: letters, digits, '-', '_' and inner spaces (no '#')", "SHS-0001"),
    Column("country_code", True, "an ISO 3166-1 alpha-3 country code such as KEN", "KEN", codes.countries()),
    Column("commissioning_date", True, "a date as YYYY-MM-DD, not after today", "2025-03-31"),
    Column("capacity_kw", True, "a number of kW above 0 and at most 1000000, with at most 3 decimals", "5.5"),
    Column("fuel_code", True, "one of " + ", ".join(codes.FUELS), "ES100", _codes(codes.FUELS)),
    Column(
        "device_type_code",
        True,
        "one of " + ", ".join(codes.DEVICE_TYPES),
        "TC120",
        _codes(codes.DEVICE_TYPES),
    ),
    Column("project_name", False, "text of at most 200 characters", "Kisumu solar homes"),
    Column("off_taker", False, "one of " + ", ".join(codes.OFF_TAKERS), "Residential", _names(codes.OFF_TAKERS)),
    Column(
        "device_description",
        False,
        "one of " + ", ".join(codes.DEVICE_DESCRIPTIONS),
        "Solar Home System",
        _names(codes.DEVICE_DESCRIPTIONS),
    ),
    Column("impact_story", False, "text of at most 5000 characters", "Lights for evening homework."),
    Column("sdg_benefits", False, "SDG codes SDG1 to SDG17 separated by ';'", "SDG4;SDG7", _codes(codes.SDGS)),
    Column("address", False, "text of at most 500 characters", "Plot 12, Kisumu"),
    Column("quality_labels", False, "text of at most 500 characters", "Lighting Global"),
    Column("grid_interconnection", False, "yes or no", "no", [("yes", "connected"), ("no", "not connected")]),
    Column("energy_storage", False, "yes or no", "yes", [("yes", "has storage"), ("no", "no storage")]),
    Column(
        "energy_storage_capacity_kwh",
        False,
        "a number of kWh, 0 or more (only when energy_storage is yes)",
        "2.4",
    ),
    Column("latitude", False, "decimal degrees from -90 (south) to 90 (north)", "-0.0917"),
    Column("longitude", False, "decimal degrees from -180 (west) to 180 (east)", "34.768"),
    Column(
        "timezone",
        False,
        "an IANA time zone of the country (needed only when the country has several and no coordinates are given)",
        "",
    ),
    Column("yield_kwh_per_kwp", False, "kWh per kWp per year, above 0 and at most 10000", ""),
]
BY_NAME = {column.name: column for column in COLUMNS}
NAMES = [column.name for column in COLUMNS]
REQUIRED = [column.name for column in COLUMNS if column.required]


def template_csv() -> str:
    """The header row and one example row (to be replaced by the developer's devices)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(NAMES)
    writer.writerow([column.example for column in COLUMNS])
    return buffer.getvalue()


def accepted_values_csv() -> str:
    """One line per column (what it accepts) and one per accepted code of the columns that take codes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["column", "required", "accepts", "value", "meaning"])
    for column in COLUMNS:
        required = "yes" if column.required else "no"
        writer.writerow([column.name, required, column.accepts, "", ""])
        for value, meaning in column.values:
            writer.writerow([column.name, required, "", value, meaning])
    return buffer.getvalue()
