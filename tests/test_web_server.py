"""The web server as the Procfile runs it (`gunicorn -c python:dapp.gunicorn_conf`): its access log."""

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from scripts.devstack import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_the_access_log_keeps_e_mail_tokens_out(services: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    port = free_port()
    env = {
        **os.environ,
        "DREC_DATABASE_URL": services["database_url"],
        "DREC_REDIS_URL": services["redis_url"],
        "DREC_CHAIN_RPC_URL": services["rpc_url"],
        "DREC_DEPLOYMENT_FILE": services["deployment_file"],
        "DREC_VAR_DIR": services["var_dir"],
        "DREC_WEB_WORKERS": "1",
        "DREC_WEB_THREADS": "1",
    }
    gunicorn = Path(sys.prefix) / "bin" / "gunicorn"
    command = [str(gunicorn), "-c", "python:dapp.gunicorn_conf", "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen([*command, "--access-logfile", str(log), "dapp.app:create_app()"], env=env, cwd=ROOT)
    try:
        response = _get_when_up(
            f"http://127.0.0.1:{port}/reset-password?token=reset-secret",
            {"Referer": "http://127.0.0.1/confirm-email?token=confirm-secret", "User-Agent": "meter-gateway/2"},
        )
        assert response.status_code == 200
    finally:
        server.terminate()
        server.wait(30)
    lines = [line for line in log.read_text().splitlines() if "/reset-password" in line]
    assert len(lines) == 1, log.read_text()
    assert '"GET /reset-password HTTP/1.1" 200' in lines[0]
    assert '"meter-gateway/2"' in lines[0]
    assert "secret" not in log.read_text()


def _get_when_up(url: str, headers: dict[str, str]) -> requests.Response:
    """The answer once the server listens; its worker loads the app on the first request (seconds on a loaded
    machine), so the read may wait long."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return requests.get(url, headers=headers, timeout=(5, 90))
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
