"""Database engine, sessions and the declarative base.

One request or one job is one unit of work: services flush, only `unit_of_work()` commits. What must happen
only once the work is committed (enqueue a job, send an email) is registered on the session with `after_commit`
by the use case that makes it necessary, and run by `unit_of_work()` after a successful commit, never after a
rollback.
"""

import logging
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, ClassVar

import psycopg
from psycopg.rows import namedtuple_row
from redis.exceptions import RedisError
from sqlalchemy import DateTime, MetaData, create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

log = logging.getLogger(__name__)

Effect = Callable[[], None]
EFFECTS = "drec.after_commit"  # the key of a session's effects in `session.info`

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base: naming convention for constraints, aware timestamps for datetimes."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True)}


POOL_RECYCLE_SECONDS = 1800
# Every connection reads and writes instants in UTC, whatever the zone of the server, database or role: an aware
# datetime in a zone with summer time adds and subtracts on its wall clock, an hour off across a clock change.
CONNECT_ARGS = {"options": "-c TimeZone=UTC"}


class Database:
    """The engine and session factory of one process.

    Connections are not pinged before use (a round trip per request, ADR 0033): a connection found dead when
    used invalidates the whole pool, so after a database restart one request per process fails (503, nothing
    stored) and the next ones reconnect.
    """

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url, pool_recycle=POOL_RECYCLE_SECONDS, connect_args=CONNECT_ARGS)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session committed once at the end, rolled back on any error; its effects run after the commit."""
        with self.sessions() as session:
            with session.begin():
                yield session
            run_effects(session)

    @contextmanager
    def autocommit_connection(self) -> Iterator[psycopg.Connection]:
        """A pooled psycopg connection in autocommit: every statement is its own transaction, with no `BEGIN` and
        `COMMIT` round trips (the single-read express lane, ADR 0058). It goes back to the pool as sessions expect
        it, or, after any error, not at all.

        A lost connection is handled as SQLAlchemy handles one: the pool's other connections are renewed too (they
        went with it), and the error is SQLAlchemy's, marked `connection_invalidated`, which the web app answers
        with a 503."""
        try:
            pooled = self.engine.raw_connection()
        except psycopg.OperationalError as error:  # the server refuses new connections: SQLAlchemy's error, a 503
            raise OperationalError(None, None, error) from error
        connection = pooled.driver_connection
        assert isinstance(connection, psycopg.Connection)
        try:
            connection.autocommit = True
            yield connection
            connection.autocommit = False
        except BaseException as error:
            pooled.invalidate()
            if not (isinstance(error, psycopg.Error) and connection.broken):
                raise
            self.engine.dispose()
            raise DBAPIError(None, None, error, connection_invalidated=True) from error
        finally:
            pooled.close()

    def dispose(self) -> None:
        self.engine.dispose()


def after_commit(session: Session, effect: Effect, key: Hashable | None = None) -> None:
    """Run `effect` once the session's unit of work has committed; never if it rolls back. Effects run in the
    order they were registered; a second effect with the same `key` is dropped (one email job per request, however
    many notifications it wrote)."""
    effects: dict[Hashable, Effect] = session.info.setdefault(EFFECTS, {})
    effects.setdefault(object() if key is None else key, effect)


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A nested transaction: if it rolls back, so do the effects registered inside it."""
    effects: dict[Hashable, Effect] = session.info.setdefault(EFFECTS, {})
    before = set(effects)
    try:
        with session.begin_nested():
            yield
    except BaseException:
        for key in [key for key in effects if key not in before]:
            del effects[key]
        raise


def run_effects(session: Session) -> None:
    """The committed unit of work's effects. The work is done and stays done: an effect that cannot reach Redis
    is logged, not raised (its job is retried by the periodic job that covers it, or asked for again)."""
    effects: dict[Hashable, Effect] = session.info.pop(EFFECTS, {})
    for effect in effects.values():
        try:
            effect()
        except RedisError as error:
            log.warning("an after-commit effect could not run: %s", type(error).__name__)


def driver_connection(session: Session) -> psycopg.Connection:
    """The psycopg connection under the session's transaction.

    For the hot paths (API-key authentication, read ingestion): a fixed statement sent through psycopg and read
    as plain rows costs about half of what the same statement costs through SQLAlchemy's result layer.
    """
    connection = session.connection().connection.driver_connection
    assert isinstance(connection, psycopg.Connection)
    return connection


def fetch_all(session: Session, statement: str, params: dict[str, Any], prepare: bool | None = None) -> list[Any]:
    """Rows of a fixed statement (psycopg placeholders) as named tuples, in the session's transaction.

    psycopg prepares a statement once it has run a few times on a connection; `prepare=False` plans it anew
    each time, for statements whose best plan depends on their parameters."""
    with driver_connection(session).cursor(row_factory=namedtuple_row) as cursor:
        return cursor.execute(statement, params, prepare=prepare).fetchall()


def flush_or_raise(session: Session, conflict: Exception) -> None:
    """Flush inside a savepoint; a constraint violation (e.g. lost to a concurrent request) raises `conflict`."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise conflict from error
