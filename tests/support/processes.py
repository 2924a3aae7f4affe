"""Platform processes started as the Procfile starts them (a `drec` command, or gunicorn for the web), on a test's
own PostgreSQL database, Redis database, chain and document folder."""

import os
import subprocess
import sys
from pathlib import Path

from dapp.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DREC = [sys.executable, "-c", "from dapp.cli import main; main()"]


def environment(settings: Settings, rpc_url: str | None = None, **overrides: str) -> dict[str, str]:
    """The environment of a process acting on `settings`' stack; `overrides` name settings (`scheduler_tick_seconds`
    becomes `DREC_SCHEDULER_TICK_SECONDS`)."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DREC_DATABASE_URL": settings.database_url,
        "DREC_REDIS_URL": settings.redis_url,
        "DREC_CHAIN_RPC_URL": rpc_url or settings.chain_rpc_url,
        "DREC_DEPLOYMENT_FILE": str(settings.deployment_file.resolve()),
        "DREC_VAR_DIR": str(settings.var_dir.resolve()),
        **{f"DREC_{name.upper()}": value for name, value in overrides.items()},
    }


def web_command(port: int) -> list[str]:
    """The Procfile's web server on `port` (workers and threads from DREC_WEB_WORKERS/DREC_WEB_THREADS)."""
    gunicorn = str(Path(sys.prefix) / "bin" / "gunicorn")
    return [gunicorn, "-c", "python:dapp.gunicorn_conf", "-b", f"127.0.0.1:{port}", "dapp.app:create_app()"]


def launch(command: list[str], env: dict[str, str], log_file: Path) -> subprocess.Popen[bytes]:
    """Start `command` in `log_file`'s folder (no stray .env or var/stack.env), output to `log_file`, in a session
    of its own (Ctrl-C in the terminal reaches pytest only)."""
    with log_file.open("ab") as log:
        return subprocess.Popen(
            command, cwd=log_file.parent, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
