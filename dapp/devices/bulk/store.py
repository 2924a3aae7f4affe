"""Writing one chunk of a bulk upload with COPY (R-NF-7): its devices (skipping external ids the organization
already has) and its job-log rows.

Multi-row INSERT statements with thousands of parameters spend most of their time being built and parsed; COPY
does not. Devices go through a temporary staging table so that the final `INSERT … SELECT … ON CONFLICT DO
NOTHING` still lets the unique index decide about duplicates, even against a concurrent upload.
"""

import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from psycopg import Cursor
from sqlalchemy.orm import Session

from dapp.db import driver_connection

STAGE = "device_upload_stage"
LOG_COLUMNS = ("upload_id", "row_number", "external_id", "status", "errors", "note", "device_id")


def insert_devices(
    session: Session, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> list[tuple[uuid.UUID, str]]:
    """Insert the rows (values in `columns` order) unless the organization has the external id; returns the
    (id, external id) of the devices created."""
    names = ", ".join(columns)
    with _cursor(session) as cursor:
        cursor.execute(f"CREATE TEMP TABLE {STAGE} (LIKE device INCLUDING DEFAULTS) ON COMMIT DROP")
        _copy(cursor, STAGE, columns, rows)
        cursor.execute(
            f"INSERT INTO device ({names}) SELECT {names} FROM {STAGE} "  # noqa: S608 - our own column names
            "ON CONFLICT (organization_id, lower(external_id)) DO NOTHING RETURNING id, external_id"
        )
        created = [(row[0], row[1]) for row in cursor.fetchall()]
        cursor.execute(f"DROP TABLE {STAGE}")
    return created


def insert_log(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """The job-log rows of a chunk."""
    values = ([row[c] if c != "errors" else json.dumps(row[c]) for c in LOG_COLUMNS] for row in rows)
    with _cursor(session) as cursor:
        _copy(cursor, "device_upload_row", LOG_COLUMNS, values)


def _cursor(session: Session) -> Cursor[Any]:
    """A psycopg cursor in the session's transaction."""
    return driver_connection(session).cursor()


def _copy(cursor: Cursor[Any], table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
