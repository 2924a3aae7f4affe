"""Monthly partitions of `meter_read` (ADR 0030).

A partition is made by the database function `meter_read_part.create_month` (migration 0004): it creates the
table and attaches it, which locks `meter_read` only against other schema changes, never against reads and
inserts. Ingestion calls `ensure_months` before it touches `meter_read`, in a separate short transaction; the
scheduler's periodic job (`dapp.reads.jobs`) keeps the coming months ready so that this rarely does anything.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from sqlalchemy import text
from sqlalchemy.engine import Engine

from dapp.months import month_start

EXISTING = text("""
SELECT to_date(substr(c.relname, 2), 'YYYY_MM')
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.meter_read'::regclass
""")
CREATE = text("SELECT meter_read_part.create_month(:month)")

_known: set[date] = set()
MONTHS_AHEAD = 3


def coming_months(now: datetime, ahead: int = MONTHS_AHEAD) -> list[datetime]:
    """The first instant (UTC) of the month of `now` and of each of the `ahead` months after it. Month by month:
    stepping by 31 days would skip February from the 29th of January on."""
    today = now.astimezone(UTC).date()
    return [datetime.combine(month_start(today, i), time(), tzinfo=UTC) for i in range(ahead + 1)]


def ensure_months(engine: Engine, instants: Iterable[datetime]) -> list[date]:
    """Make sure a partition exists for the month (UTC) of each instant; returns the months created."""
    wanted = _months(list(instants)) - _known
    if not wanted:
        return []
    created = []
    with engine.connect() as connection:
        _known.update(connection.execute(EXISTING).scalars())
        connection.commit()  # the query began a transaction; each month gets its own
        for month in sorted(wanted - _known):
            with connection.begin():
                connection.execute(text("SET LOCAL lock_timeout = '5s'"))
                if connection.execute(CREATE, {"month": month}).scalar():
                    created.append(month)
            _known.add(month)
    return created


def known(instants: Iterable[datetime]) -> bool:
    """Whether this process knows that the month (UTC) of every instant has its partition; asks nothing."""
    return _months(list(instants)) <= _known


def _months(instants: list[datetime]) -> set[date]:
    """The first days of the months (UTC) of these instants. When the earliest and the latest share a month, so
    do all the others: two comparisons a read instead of a date each (most batches lie within one month)."""
    if not instants:
        return set()
    first, last = min(instants), max(instants)
    if (first.year, first.month) == (last.year, last.month):
        return {date(first.year, first.month, 1)}
    return {date(i.year, i.month, 1) for i in instants}


def forget() -> None:
    """Drop the in-process cache (tests that recreate the database)."""
    _known.clear()
