"""Many rows into a table with PostgreSQL's COPY, inside the session's transaction.

COPY writes ten thousand events in a few tens of milliseconds; a multi-row INSERT spent most of a second in
the driver building and parsing parameters (R-NF-5). When duplicates must be skipped or ids returned, the
rows are copied into a temporary staging table first and moved with one INSERT … SELECT.
"""

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from dapp.db import Base

STAGING = "bulk_staging"


def insert_rows(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    skip_duplicates: bool = False,
    returning: Sequence[str] = (),
) -> list[Row[Any]]:
    """Insert `rows` (dicts keyed by column name, all with the same keys) into `model`'s table.

    `skip_duplicates`: rows that violate a unique constraint are left out (ON CONFLICT DO NOTHING).
    `returning`: columns to return for the rows actually inserted.
    """
    if not rows:
        return []
    table = model.__table__.name  # type: ignore[attr-defined]
    unknown = set(rows[0]) - set(model.__table__.c.keys())
    if unknown:
        raise ValueError(f"{table} has no column(s) {', '.join(sorted(unknown))}")
    columns = ", ".join(rows[0])  # names of the model's columns only (checked above): safe to interpolate
    if not skip_duplicates and not returning:
        _copy(session, table, columns, rows)
        return []
    staging = f"CREATE TEMP TABLE {STAGING} AS SELECT {columns} FROM {table} WITH NO DATA"  # noqa: S608
    session.execute(text(staging))
    _copy(session, STAGING, columns, rows)
    statement = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {STAGING}"  # noqa: S608
    statement += " ON CONFLICT DO NOTHING" if skip_duplicates else ""
    statement += f" RETURNING {', '.join(returning)}" if returning else ""
    inserted = list(session.execute(text(statement)))
    session.execute(text(f"DROP TABLE {STAGING}"))
    return inserted


def _copy(session: Session, table: str, columns: str, rows: Sequence[dict[str, Any]]) -> None:
    connection = session.connection().connection.driver_connection
    assert connection is not None  # a checked-out psycopg connection
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_value(value) for value in row.values()])


def _value(value: Any) -> Any:
    """JSON documents are copied as their text."""
    return json.dumps(value) if isinstance(value, dict | list) else value
