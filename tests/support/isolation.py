"""What keeps one test from seeing another's data, and one test run from another's, cheaply.

- Tables: after a test, only the tables that hold rows are emptied (one query finds them), children before their
  parents, and their identity columns restart. Truncating every relation after every test cost most of the
  suite's time (about 0.8 s a test: a new file for each of ~100 relations and its indexes).
- Redis: each run claims a database number of its own on the server (a key with an expiry in database 0), so
  two runs on one machine never flush each other's queues, locks or clock.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
from psycopg import sql
from redis import Redis
from sqlalchemy import Table
from sqlalchemy.engine import Engine

CLAIM_PREFIX = "drec:test-run:db:"
CLAIM_SECONDS = 6 * 3600  # longer than any run; a crashed run's number comes back by itself


class TableCleaner:
    """Empties the tables a test wrote to; built once per run from the metadata's tables."""

    def __init__(self, tables: list[Table]) -> None:
        self.children_first = [table.name for table in reversed(tables)]
        self.identities = {table.name: [c.name for c in table.columns if c.identity is not None] for table in tables}
        self.find_used = sql.SQL(" UNION ALL ").join(
            sql.SQL("SELECT {name} WHERE EXISTS (SELECT FROM {table})").format(
                name=sql.Literal(name), table=sql.Identifier(name)
            )
            for name in self.children_first
        )

    def clean(self, engine: Engine) -> None:
        connection = engine.raw_connection()
        try:
            driver = connection.driver_connection
            assert isinstance(driver, psycopg.Connection)
            with driver.transaction():
                driver.execute("SET LOCAL synchronous_commit = off")
                used = {row[0] for row in driver.execute(self.find_used)}
                for name in (name for name in self.children_first if name in used):
                    driver.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(name)))
                    for column in self.identities[name]:
                        restart = sql.SQL("ALTER TABLE {} ALTER COLUMN {} RESTART")
                        driver.execute(restart.format(sql.Identifier(name), sql.Identifier(column)))
        finally:
            connection.close()


@contextmanager
def own_redis_database(url: str) -> Iterator[str]:
    """`url` with a database number no other running test run holds; released at the end."""
    server = Redis.from_url(_with_database(url, 0))
    run = uuid.uuid4().hex
    for number in range(1, 16):
        if server.set(f"{CLAIM_PREFIX}{number}", run, nx=True, ex=CLAIM_SECONDS):
            break
    else:
        raise RuntimeError(f"every Redis database of {url} is held by another test run")
    try:
        yield _with_database(url, number)
    finally:
        if server.get(f"{CLAIM_PREFIX}{number}") == run.encode():
            Redis.from_url(_with_database(url, number)).flushdb()
            server.delete(f"{CLAIM_PREFIX}{number}")
        server.close()


def _with_database(url: str, number: int) -> str:
    return urlsplit(url)._replace(path=f"/{number}").geturl()
