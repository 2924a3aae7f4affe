"""A scratch database for a benchmark: created on the server at TEST_DATABASE_URL (default: the machine's
PostgreSQL), migrated to every head, dropped when the benchmark ends, whatever happens."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from dapp.migrations import upgrade

SERVER = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_database() -> Iterator[str]:
    """Yields the SQLAlchemy URL of a new, migrated database of the benchmark's own."""
    server = make_url(SERVER)
    name = f"drec_bench_{uuid.uuid4().hex[:8]}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = server.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def libpq(url: str) -> str:
    """The same database's URL for psycopg (COPY loads)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
