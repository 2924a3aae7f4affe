"""What a statement's plan reads, from PostgreSQL's EXPLAIN: which monthly partitions of `meter_read` and which
indexes a query uses is a property of its SQL (issue 21), checked without timing anything."""

from typing import Any

from sqlalchemy import Executable
from sqlalchemy.orm import Session


def planned_relations(session: Session, statement: Executable, params: dict[str, Any] | None = None) -> set[str]:
    """Every relation the plan of `statement` (custom-planned, with these parameters) scans."""
    return _planned(session, statement, params, "Relation Name")


def planned_indexes(session: Session, statement: Executable, params: dict[str, Any] | None = None) -> set[str]:
    """Every index the plan of `statement` reads."""
    return _planned(session, statement, params, "Index Name")


def partitions_of(relations: set[str]) -> set[str]:
    """The monthly partitions of `meter_read` among `relations` (named mYYYY_MM)."""
    return {name for name in relations if name.startswith("m20")}


def _planned(session: Session, statement: Executable, params: dict[str, Any] | None, key: str) -> set[str]:
    compiled = statement.compile(dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True})
    values = {**compiled.params, **(params or {})}
    plan = session.connection().exec_driver_sql("EXPLAIN (FORMAT JSON) " + compiled.string, values).scalar_one()
    found: set[str] = set()
    _collect(plan[0]["Plan"], key, found)
    return found


def _collect(node: dict[str, Any], key: str, found: set[str]) -> None:
    if key in node:
        found.add(node[key])
    for child in node.get("Plans", []):
        _collect(child, key, found)
