"""The database layer's own guarantees."""

from datetime import timedelta

import psycopg
from psycopg import sql
from sqlalchemy import make_url, text

from dapp.db import Database


def test_instants_come_back_in_utc_whatever_the_databases_zone(app, settings) -> None:
    """A database (or server) set to a zone with summer time must not hand the rules wall-clock datetimes."""
    url = make_url(settings.database_url)
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = sql.Identifier(url.database)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("ALTER DATABASE {} SET timezone = 'America/New_York'").format(name))
    database = Database(settings.database_url)
    try:
        with database.unit_of_work() as session:
            zone = session.execute(text("SHOW TimeZone")).scalar()
            before_the_change = session.execute(text("SELECT timestamptz '2026-03-08 06:30:00+00'")).scalar()
    finally:
        database.dispose()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql.SQL("ALTER DATABASE {} RESET timezone").format(name))
    assert zone == "UTC"
    assert before_the_change.utcoffset() == timedelta(0)
    # one hour later is 07:30 UTC; in New York's wall clock it would have been 02:30, a time that does not exist
    assert (before_the_change + timedelta(hours=1)).hour == 7
