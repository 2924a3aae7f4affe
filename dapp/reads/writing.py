"""Writing a judged batch: history spans, reads and rejections in one statement each, states in one UPDATE.

Large batches go through COPY (psycopg), small ones through one multi-row INSERT, which costs one round trip.
"""

from datetime import datetime

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from dapp.reads.models import HistorySpan, MeterRead, RejectedRead
from dapp.reads.validation import OngoingState

COPY_THRESHOLD = 20
READ_COLUMNS = (
    "device_id",
    "read_type",
    "status",
    "status_reason",
    "period_start",
    "period_end",
    "value_wh",
    "energy_wh",
    "max_energy_wh",
    "rule_version",
    "yield_kwh_per_kwp",
    "yield_source",
    "clear_sky_wh",
    "clear_sky_rule",
    "location_source",
    "received_at",
    "reviewed_at",
    "review_policy",
)
REJECTED_COLUMNS = (
    "device_id",
    "read_type",
    "period_start",
    "period_end",
    "value_wh",
    "energy_wh",
    "max_energy_wh",
    "reason_code",
    "detail",
    "received_at",
)
UPDATE_STATES = text("""
UPDATE device_read_state AS s
SET ongoing_type = v.ongoing_type, last_end_at = v.last_end_at, last_register_wh = v.last_register_wh,
    next_baseline_reason = v.next_baseline_reason
FROM unnest(CAST(:ids AS uuid[]), CAST(:types AS varchar[]), CAST(:ends AS timestamptz[]),
            CAST(:registers AS bigint[]), CAST(:reasons AS varchar[]))
     AS v(device_id, ongoing_type, last_end_at, last_register_wh, next_baseline_reason)
WHERE s.device_id = v.device_id
""")


def write_reads(
    session: Session, reads: list[dict[str, object]], rejected: list[dict[str, object]], now: datetime
) -> None:
    spans = [
        {"device_id": r["device_id"], "period_start": r["period_start"], "period_end": r["period_end"]}
        for r in reads
        if r["read_type"] == "history"
    ]
    if spans:
        session.execute(insert(HistorySpan), spans)
    _write(session, MeterRead.__tablename__, READ_COLUMNS, reads)
    _write(session, RejectedRead.__tablename__, REJECTED_COLUMNS, [{**r, "received_at": now} for r in rejected])


def write_states(session: Session, states: list[OngoingState]) -> None:
    if not states:
        return
    session.execute(
        UPDATE_STATES,
        {
            "ids": [s.device_id for s in states],
            "types": [s.ongoing_type for s in states],
            "ends": [s.last_end for s in states],
            "registers": [s.last_register for s in states],
            "reasons": [s.next_baseline_reason for s in states],
        },
    )


def _write(session: Session, table: str, columns: tuple[str, ...], rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    if len(rows) < COPY_THRESHOLD:
        model = MeterRead if table == MeterRead.__tablename__ else RejectedRead
        session.execute(insert(model), rows)
        return
    connection = session.connection().connection.driver_connection
    assert connection is not None
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])
