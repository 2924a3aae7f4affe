"""Alembic environment: the database URL comes from Settings (DREC_DATABASE_URL) unless a caller passes one."""

from alembic import context
from sqlalchemy import create_engine

import dapp.models
from dapp.settings import Settings

target_metadata = dapp.models.Base.metadata


def database_url() -> str:
    return context.config.attributes.get("database_url") or Settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(database_url())
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
