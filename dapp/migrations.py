"""Apply the Alembic migrations programmatically (`drec db upgrade`, tests, benchmarks)."""

from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def upgrade(database_url: str) -> None:
    """Bring the database at `database_url` to the newest revision of every branch."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    command.upgrade(config, "heads")
