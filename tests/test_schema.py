"""The migrations and the models describe the same schema (what `alembic check` verifies)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dapp import platform
from dapp.models import Base


def test_migrations_leave_nothing_for_autogenerate_to_add(app) -> None:
    with platform.current().db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
