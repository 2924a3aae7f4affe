"""Judging one CSV row (R-DEV-7): Success, Success with validation errors, or Failed, with plain sentences.

A mandatory field that is missing or wrong fails the row. A wrong optional field is left out (the device is
created without it) and reported, so the developer can fix it through the device's edit form.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from dapp.devices import rules
from dapp.devices.bulk import template
from dapp.devices.bulk.csvfile import Row
from dapp.devices.schemas import DeviceCreate, DeviceFields
from dapp.models.devices import RowStatus

# Problems that make a device impossible to create even though they concern an optional column.
BLOCKING_CODES = {"timezone_required"}
PAIRED = {"latitude": ("latitude", "longitude"), "longitude": ("latitude", "longitude")}
MAX_ROUNDS = 4


@dataclass
class Verdict:
    number: int
    external_id: str | None
    status: RowStatus
    problems: list[rules.Problem] = field(default_factory=list)
    values: dict[str, Any] | None = None  # the device to create; None when the row failed


def judge(row: Row, onboarded_at: datetime, first_row_of: dict[str, int]) -> Verdict:
    """The verdict on one row; `first_row_of` maps each lower-cased external id to its first row in the file."""
    cells = dict(row.cells)
    external_id = (cells.get("external_id") or "")[:64] or None
    problems = _shape(row, first_row_of)
    values, parse_problems = _parse(cells)
    problems += parse_problems
    if values is not None:
        problems += _rules(values, onboarded_at)
    failed = any(_is_blocking(p) for p in problems)
    if failed or values is None:
        return Verdict(row.number, external_id, RowStatus.FAILED, problems)
    status = RowStatus.PARTIAL if problems else RowStatus.SUCCESS
    return Verdict(row.number, external_id, status, problems, values)


def _shape(row: Row, first_row_of: dict[str, int]) -> list[rules.Problem]:
    problems = []
    if row.extra_cells:
        problems.append(
            rules.Problem(
                "row",
                "extra_cells",
                f"The row has {row.extra_cells} cell(s) more than the header has columns; a text with a comma "
                "must be put in double quotes.",
            )
        )
    external_id = row.cells.get("external_id", "").lower()
    first = first_row_of.get(external_id)
    if first is not None and first != row.number:
        problems.append(
            rules.Problem(
                "external_id",
                "duplicate_in_file",
                f"External id '{row.cells['external_id']}' is already used by row {first} of this file.",
            )
        )
    return problems


def _parse(cells: dict[str, Any]) -> tuple[dict[str, Any] | None, list[rules.Problem]]:
    """Typed values (wrong optional cells left out) and the problems; None when a mandatory cell is wrong."""
    try:
        return DeviceCreate.model_validate(cells).model_dump(), []
    except ValidationError as error:
        problems = [_cell_problem(item, cells) for item in error.errors(include_url=False)]
    bad = {p.field for p in problems}
    kept = {name: value for name, value in cells.items() if name not in bad}
    if bad & set(rules.MANDATORY):
        return None, problems + _code_problems(kept)
    return DeviceCreate.model_validate(kept).model_dump(), problems


def _code_problems(kept: dict[str, Any]) -> list[rules.Problem]:
    """The code-list problems of a failing row's remaining cells, so the developer fixes them all at once."""
    optional = DeviceFields.model_validate({k: v for k, v in kept.items() if k in DeviceFields.model_fields})
    codes: dict[str, Any] = {k: kept[k] for k in ("country_code", "fuel_code", "device_type_code") if k in kept}
    return rules.code_problems({**optional.model_dump(exclude_none=True), **codes})


def _cell_problem(item: Any, cells: dict[str, Any]) -> rules.Problem:
    name = str(item["loc"][0]) if item["loc"] else "row"
    label = rules.LABELS.get(name, name)
    accepts = template.BY_NAME[name].accepts if name in template.BY_NAME else "a valid value"
    if item["type"] == "missing":
        return rules.Problem(name, "missing", f"{label} is missing; it is required: write {accepts}.")
    return rules.Problem(name, "invalid", f"{label} '{cells.get(name, '')}' is not accepted: write {accepts}.")


def _rules(values: dict[str, Any], onboarded_at: datetime) -> list[rules.Problem]:
    """Rule problems; wrong optional values are dropped and the rules run again until only real ones remain."""
    reported: list[rules.Problem] = []
    for _ in range(MAX_ROUNDS):
        problems = rules.check(values, onboarded_at)
        new = [p for p in problems if p not in reported]
        reported += new
        droppable = [p for p in problems if not _is_blocking(p)]
        if not droppable:
            return reported
        for problem in droppable:
            for name in PAIRED.get(problem.field, (problem.field,)):
                values[name] = [] if name == "sdg_benefits" else None
    return reported


def _is_blocking(problem: rules.Problem) -> bool:
    return problem.field in rules.MANDATORY or problem.field == "row" or problem.code in BLOCKING_CODES
