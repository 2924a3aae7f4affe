"""The tables a statement's plan reads, from PostgreSQL's EXPLAIN: which monthly partitions of `meter_read` a
query touches is a property of its SQL (issue 21), checked without timing anything."""

from typing import Any

from sqlalchemy import Executable
from sqlalchemy.orm import Session


def planned_relations(session: Session, statement: Executable, params: dict[str, Any] | None = None) -> set[str]:
    """Every relation the plan of `statement` (custom-planned, with these parameters) scans."""
    compiled = statement.compile(dialect=session.get_bind().dialect)
    values = {**compiled.params, **(params or {})}
    plan = session.connection().exec_driver_sql("EXPLAIN (FORMAT JSON) " + compiled.string, values).scalar_one()
    found: set[str] = set()
    _collect(plan[0]["Plan"], found)
    return found


def _collect(node: dict[str, Any], found: set[str]) -> None:
    if "Relation Name" in node:
        found.add(node["Relation Name"])
    for child in node.get("Plans", []):
        _collect(child, found)


def partitions_of(relations: set[str]) -> set[str]:
    """The monthly partitions of `meter_read` among `relations` (named mYYYY_MM)."""
    return {name for name in relations if name.startswith("m20")}
