"""Shared fixtures: a real PostgreSQL database, a real Redis, a real anvil with the deployed contracts.

PostgreSQL: the server named by TEST_DATABASE_URL (a fresh database is created and dropped), otherwise an
embedded server. Redis: REDIS_URL, otherwise an embedded server; either way a database number of the run's own.
anvil: always a fresh node on a free port. After each test that used the platform, the tables it wrote to, its
Redis database and the mail folder are emptied (tests/support/isolation.py).
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher, profiles
from flask import Flask
from psycopg import sql
from redis import Redis
from sqlalchemy.engine import make_url

from dapp import migrations, security
from dapp.app import create_app
from dapp.models import Base
from dapp.settings import Settings
from scripts import devstack
from tests.support.isolation import TableCleaner, own_redis_database
from tests.support.problems import ProblemLog

ROOT = Path(__file__).resolve().parent.parent
IREC_TOKEN = "test-irec-token"


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """URLs of PostgreSQL (a database of its own), Redis and anvil (contracts deployed) for this test run."""
    var = tmp_path_factory.mktemp("var")
    with ExitStack() as stack:
        database_url = _database(stack, var)
        _commits_without_waiting_for_the_disk(database_url)
        server_redis_url, stop_redis = devstack.start_redis(var)
        stack.callback(stop_redis)
        redis_url = stack.enter_context(own_redis_database(server_redis_url))
        rpc_url, stop_anvil = devstack.start_anvil(None)
        stack.callback(stop_anvil)
        deployment = var / "deployment.json"
        devstack.deploy(rpc_url, deployment)
        migrations.upgrade(database_url)
        irec_url, stop_irec = devstack.start_irec_simulator(var / "irec" / "registry.sqlite3", IREC_TOKEN)
        stack.callback(stop_irec)
        yield {
            "irec_registry_url": irec_url,
            "database_url": database_url,
            "redis_url": redis_url,
            "rpc_url": rpc_url,
            "deployment_file": str(deployment),
            "var_dir": str(var),
        }


def _database(stack: ExitStack, var: Path) -> str:
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        url, stop = devstack.start_postgres(var / "pg")
        stack.callback(stop)
        return url
    name = f"drec_test_{uuid.uuid4().hex[:10]}"
    admin = make_url(server_url).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    stack.callback(_drop_database, admin.render_as_string(hide_password=False), name)
    return (
        make_url(server_url).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    )


def _commits_without_waiting_for_the_disk(url: str) -> None:
    """A test database is thrown away: its commits need not wait for the WAL to reach the disk."""
    libpq_url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq_url, autocommit=True) as connection:
        name = connection.execute("SELECT current_database()").fetchone()[0]
        connection.execute(sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(sql.Identifier(name)))


def _drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def settings(services: dict[str, str]) -> Settings:
    return Settings(
        _env_file=None,
        database_url=services["database_url"],
        redis_url=services["redis_url"],
        chain_rpc_url=services["rpc_url"],
        deployment_file=Path(services["deployment_file"]),
        var_dir=Path(services["var_dir"]),
        base_url="http://testserver",
        scheduler_tick_seconds=1,
        irec_registry_url=services["irec_registry_url"],
        irec_registry_token=IREC_TOKEN,
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[Flask]:
    application = create_app(settings)
    application.config.update(TESTING=True)
    problems = ProblemLog()
    problems.watch(application)
    yield application
    undeclared = problems.undeclared()
    assert not undeclared, "routes answered with problems they do not declare (add them to errors=…):\n" + "\n".join(
        undeclared
    )


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """Argon2id at its lowest cost in this process: a hash takes microseconds instead of ~0.1 s, and every
    organization a test makes hashes one password and signs in with it. Hashes carry their parameters, so the
    code paths are the production ones (servers started by tests keep the production cost)."""
    standard = security._hasher
    security._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    yield
    security._hasher = standard


@pytest.fixture(scope="session")
def table_cleaner() -> TableCleaner:
    return TableCleaner(Base.metadata.sorted_tables)


@pytest.fixture(autouse=True)
def clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that used the platform: empty the tables it wrote to, its Redis database and the mail
    folder."""
    yield
    if "settings" not in request.fixturenames:
        return
    settings: Settings = request.getfixturevalue("settings")
    from dapp import platform

    request.getfixturevalue("table_cleaner").clean(platform.current().db.engine)
    Redis.from_url(settings.redis_url).flushdb()
    for mail in settings.mail_dir.glob("*.eml"):
        mail.unlink()
