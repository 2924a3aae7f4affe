"""Where reads are stored: loading a batch's devices with their read states locked, the history already stored,
and writing a judged batch (history spans, reads and rejections, then the read states in one UPDATE).

Statements go straight to psycopg inside the session's transaction, each fixed and measured (ADRs 0033, 0059):
binary COPY for large tables, plain INSERTs for small ones, one UPDATE for the states; and the express lane's one
statement, in autocommit (ADR 0058). Judging is elsewhere (dapp.reads.ingest); nothing here decides anything.
"""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

import psycopg
from psycopg import postgres, sql
from sqlalchemy import FromClause, select
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.orm import Session

from dapp.db import driver_connection, fetch_all
from dapp.models.reads import HistorySpan, LateEnergy, MeterRead, RejectedRead
from dapp.reads.validation import DeviceContext, OngoingState, Policy

COPY_THRESHOLD = 20


_DEVICES = """
SELECT d.id, d.external_id, d.timezone, d.country_code, d.capacity_kw, d.commissioning_date, d.onboarded_at,
       d.latitude, d.longitude, d.yield_kwh_per_kwp AS device_yield, y.yield_kwh_per_kwp AS country_yield,
       s.ongoing_type, s.last_end_at, s.last_register_wh, s.next_baseline_reason, s.certified_until
FROM device AS d
JOIN device_read_state AS s ON s.device_id = d.id
LEFT JOIN country_yield AS y ON y.country_code = d.country_code
WHERE d.organization_id = {organization} AND {match}
"""
_LOCKED = "ORDER BY d.id FOR UPDATE OF s"
_ONE = "lower(d.external_id) = %(external_id)s"
# One device: an equality the prepared (generic) plan answers from the unique index on (organization, lower(id)).
ONE_DEVICE_WITH_LOCKED_STATE = _DEVICES.format(organization="%(organization_id)s", match=_ONE) + _LOCKED
# Many: planned for each request (`prepare=False`). A generic plan cannot hash the array and compares every
# device of the organization with every id sent: 77 ms instead of 8 ms of server time for 1,000 of 8,000.
MANY_DEVICES_WITH_LOCKED_STATES = (
    _DEVICES.format(organization="%(organization_id)s", match="lower(d.external_id) = ANY(%(external_ids)b)") + _LOCKED
)
# The device of an API key's organization, its state not locked: for a statement that also reads the key (`k`).
DEVICE_OF_KEY = _DEVICES.format(organization="k.organization_id", match=_ONE)
LOCK_STATES = """
SELECT device_id AS id, ongoing_type, last_end_at, last_register_wh, next_baseline_reason, certified_until
FROM device_read_state WHERE device_id = ANY(%(ids)b) ORDER BY device_id FOR UPDATE
"""


def load_devices(
    session: Session, organization_id: uuid.UUID, external_ids: list[str], policy: Policy
) -> tuple[dict[str, DeviceContext], dict[uuid.UUID, OngoingState]]:
    """The organization's devices with these external ids (case-insensitive, keyed by lower-case external id)
    and their read states, locked in device-id order so that concurrent batches cannot deadlock.

    Every device has a state row (a trigger makes it with the device), so one statement does both.
    """
    wanted = sorted({e.lower() for e in external_ids})
    if len(wanted) == 1:
        params = {"organization_id": organization_id, "external_id": wanted[0]}
        rows = fetch_all(session, ONE_DEVICE_WITH_LOCKED_STATE, params)
    else:
        params = {"organization_id": organization_id, "external_ids": wanted}
        rows = fetch_all(session, MANY_DEVICES_WITH_LOCKED_STATES, params, prepare=False)
    devices = {r.external_id.lower(): device_context(r, policy.default_yield) for r in rows}
    return devices, {r.id: ongoing_state(r) for r in rows}


def lock_states(session: Session, device_ids: list[uuid.UUID]) -> dict[uuid.UUID, OngoingState]:
    """The read states of these devices, locked in device-id order."""
    rows = fetch_all(session, LOCK_STATES, {"ids": device_ids})
    return {r.id: ongoing_state(r) for r in rows}


def ongoing_state(row: Any) -> OngoingState:
    return OngoingState(
        row.id,
        row.ongoing_type,
        row.last_end_at,
        row.last_register_wh,
        row.next_baseline_reason,
        certified_until=row.certified_until,
    )


def device_context(row: Any, default_yield: Decimal) -> DeviceContext:
    if row.device_yield is not None:
        yield_value, source = row.device_yield, "device"
    elif row.country_yield is not None:
        yield_value, source = row.country_yield, "country"
    else:
        yield_value, source = default_yield, "default"
    return DeviceContext(
        row.id,
        row.external_id,
        row.timezone,
        row.country_code,
        row.capacity_kw,
        row.commissioning_date,
        row.onboarded_at,
        row.latitude,
        row.longitude,
        Decimal(yield_value),
        source,
    )


def history_spans(
    session: Session, device_ids: list[uuid.UUID], start: datetime, end: datetime
) -> dict[uuid.UUID, list[tuple[datetime, datetime]]]:
    """The history intervals stored for these devices that overlap [start, end), by device."""
    spans: dict[uuid.UUID, list[tuple[datetime, datetime]]] = {device_id: [] for device_id in device_ids}
    rows = session.execute(
        select(HistorySpan.device_id, HistorySpan.period_start, HistorySpan.period_end).where(
            HistorySpan.device_id.in_(device_ids), HistorySpan.period_end > start, HistorySpan.period_start < end
        )
    )
    for row in rows:
        spans[row.device_id].append((row.period_start, row.period_end))
    return spans


class ReadRow(NamedTuple):
    """A `meter_read` row, in the table's column order (COPY and INSERT take it as it is)."""

    device_id: uuid.UUID
    read_type: str
    status: str
    status_reason: str | None
    period_start: datetime | None
    period_end: datetime
    value_wh: int
    energy_wh: int
    max_energy_wh: int | None
    rule_version: str
    yield_kwh_per_kwp: Decimal | None
    yield_source: str | None
    clear_sky_wh: int | None
    clear_sky_rule: str | None
    location_source: str | None
    received_at: datetime
    reviewed_at: datetime | None
    review_policy: str | None


class RejectedRow(NamedTuple):
    """A `rejected_read` row, in the table's column order."""

    device_id: uuid.UUID
    read_type: str
    period_start: datetime | None
    period_end: datetime | None
    value_wh: int | None
    energy_wh: int | None
    max_energy_wh: int | None
    reason_code: str
    detail: str | None
    received_at: datetime


READ_COLUMNS = ReadRow._fields
REJECTED_COLUMNS = RejectedRow._fields
# Arrays go in binary (`%b`): six times faster to send than their text form for a batch of 1,000 devices.
UPDATE_STATES = """
UPDATE device_read_state AS s
SET ongoing_type = v.ongoing_type, last_end_at = v.last_end_at, last_register_wh = v.last_register_wh,
    next_baseline_reason = v.next_baseline_reason
FROM unnest(%(ids)b::uuid[], %(types)b::varchar[], %(ends)b::timestamptz[], %(registers)b::bigint[],
            %(reasons)b::varchar[])
     AS v(device_id, ongoing_type, last_end_at, last_register_wh, next_baseline_reason)
WHERE s.device_id = v.device_id
"""
UPDATE_STATE = """
UPDATE device_read_state
SET ongoing_type = %s, last_end_at = %s, last_register_wh = %s, next_baseline_reason = %s
WHERE device_id = %s
"""
SPAN_COLUMNS = ("device_id", "period_start", "period_end")
LATE_COLUMNS = ("device_id", "period_start", "period_end")


class LateSpan(NamedTuple):
    """A `late_energy` row: a device's accepted energy that arrived for time that may be certified already."""

    device_id: uuid.UUID
    period_start: datetime
    period_end: datetime


def _insert(table: str, columns: tuple[str, ...], template: str = "INSERT INTO {} ({}) VALUES ({})") -> str:
    return (
        sql.SQL(template)
        .format(
            sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.SQL(", ").join(sql.Placeholder() * len(columns)),
        )
        .as_string()
    )


def _copy_from_stdin(table: str, columns: tuple[str, ...]) -> str:
    return (
        sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)")
        .format(sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
        .as_string()
    )


def _column_types(table: FromClause, columns: tuple[str, ...]) -> list[int]:
    """The columns' type oids, from the model, for binary COPY: `VARCHAR(10)` is `varchar`, `BIGINT` is `int8`."""
    dialect = PGDialect()  # type: ignore[no-untyped-call]  # SQLAlchemy does not annotate dialect constructors
    return [postgres.types[table.c[c].type.compile(dialect=dialect).split("(")[0].lower()].oid for c in columns]


# Composed once, at import: composing them per request cost more than sending them.
INSERT_SPAN = _insert(HistorySpan.__tablename__, SPAN_COLUMNS)
INSERT_LATE = _insert(LateEnergy.__tablename__, LATE_COLUMNS)
INSERT_READ = _insert(MeterRead.__tablename__, READ_COLUMNS)
INSERT_REJECTED = _insert(RejectedRead.__tablename__, REJECTED_COLUMNS)


class Rows(NamedTuple):
    """How rows of a table are sent: one INSERT each, or COPY in binary with the columns' types."""

    insert: str
    copy: str
    types: list[int]


READS = Rows(
    INSERT_READ,
    _copy_from_stdin(MeterRead.__tablename__, READ_COLUMNS),
    _column_types(MeterRead.__table__, READ_COLUMNS),
)
REJECTIONS = Rows(
    INSERT_REJECTED,
    _copy_from_stdin(RejectedRead.__tablename__, REJECTED_COLUMNS),
    _column_types(RejectedRead.__table__, REJECTED_COLUMNS),
)
# Both in one round trip: a data-modifying WITH runs whether or not its result is used.
UPDATE_STATE_AND_INSERT_READ = f"WITH state AS ({UPDATE_STATE}) {INSERT_READ}"
# The express lane (ADR 0058), in autocommit: the state moves on only from the values the read was judged against,
# and the read is inserted only if it did. Both happen, or neither.
UPDATE_UNCHANGED_STATE = f"""{UPDATE_STATE}
AND ongoing_type IS NOT DISTINCT FROM %s AND last_end_at IS NOT DISTINCT FROM %s
AND last_register_wh IS NOT DISTINCT FROM %s AND next_baseline_reason IS NOT DISTINCT FROM %s
AND certified_until IS NOT DISTINCT FROM %s
RETURNING device_id"""
INSERT_READ_IF_STATE_UNCHANGED = f"WITH state AS ({UPDATE_UNCHANGED_STATE}) " + _insert(  # noqa: S608 - fixed
    MeterRead.__tablename__, READ_COLUMNS, "INSERT INTO {} ({}) SELECT {} FROM state"
)


def write_batch(
    session: Session,
    reads: list[ReadRow],
    rejected: list[RejectedRow],
    states: list[OngoingState],
    late: list[LateSpan] | None = None,
) -> None:
    """History spans, then reads and rejections, then the changed states and the late energy (R-READ-9), in the
    session's transaction.

    Tables with many rows go through COPY, a few rows through one INSERT each (psycopg sends the rows of an
    `executemany` in one round trip). Plain statements, not pipeline mode: for the one or two statements of a
    small batch, pipeline mode costs more CPU than it saves in round trips (measured, ADR 0033). The single-read
    request, one accepted read and its device's state, is one statement (ADR 0039).
    """
    connection = driver_connection(session)
    spans = [(r.device_id, r.period_start, r.period_end) for r in reads if r.read_type == "history"]
    with connection.cursor() as cursor:
        if late:
            cursor.executemany(INSERT_LATE, late)
        if len(reads) == 1 and len(states) == 1 and not spans and not rejected:
            cursor.execute(UPDATE_STATE_AND_INSERT_READ, (*_state_values(states[0]), *reads[0]))
            return
        if spans:
            cursor.executemany(INSERT_SPAN, spans)
        _insert_rows(cursor, READS, reads)
        _insert_rows(cursor, REJECTIONS, rejected)
        if len(states) > 1:
            cursor.execute(UPDATE_STATES, _state_arrays(states))
        elif states:
            cursor.execute(UPDATE_STATE, _state_values(states[0]))


def _insert_rows(cursor: psycopg.Cursor, table: Rows, rows: list[ReadRow] | list[RejectedRow]) -> None:
    """COPY for many rows; `execute` for one (`executemany` runs a pipeline even for one row)."""
    if len(rows) >= COPY_THRESHOLD:
        _copy(cursor, table, rows)
    elif len(rows) > 1:
        cursor.executemany(table.insert, rows)
    elif rows:
        cursor.execute(table.insert, rows[0])


def write_read_if_unchanged(
    connection: psycopg.Connection, read: ReadRow, judged: OngoingState, state: OngoingState
) -> bool:
    """One read and its device's new state in one statement, provided the state is still `judged` (the state the
    read was judged against); False, with nothing written, when another request has moved it on since."""
    before = (
        judged.ongoing_type,
        judged.last_end,
        judged.last_register,
        judged.next_baseline_reason,
        judged.certified_until,
    )
    with connection.cursor() as cursor:
        cursor.execute(INSERT_READ_IF_STATE_UNCHANGED, (*_state_values(state), *before, *read))
        return cursor.rowcount == 1


def write_states(session: Session, states: list[OngoingState]) -> None:
    write_batch(session, [], [], states)


def _state_values(state: OngoingState) -> tuple[object, ...]:
    """`UPDATE_STATE`'s parameters: one state by its values (arrays of one element cost more to send)."""
    return state.ongoing_type, state.last_end, state.last_register, state.next_baseline_reason, state.device_id


def _state_arrays(states: list[OngoingState]) -> dict[str, list[object]]:
    return {
        "ids": [s.device_id for s in states],
        "types": [s.ongoing_type for s in states],
        "ends": [s.last_end for s in states],
        "registers": [s.last_register for s in states],
        "reasons": [s.next_baseline_reason for s in states],
    }


def _copy(cursor: psycopg.Cursor, table: Rows, rows: list[ReadRow] | list[RejectedRow]) -> None:
    """Binary COPY: formatting a row costs less than half of its text form (1,000 reads: 3.4 ms against 8.5 ms)."""
    with cursor.copy(table.copy) as copy:
        copy.set_types(table.types)
        for row in rows:
            copy.write_row(row)
