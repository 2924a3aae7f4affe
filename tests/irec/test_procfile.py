"""`make up` starts the I-REC simulator: the Procfile's `irec` line serves it with its state under DREC_VAR_DIR."""

import os
import subprocess
import time
from pathlib import Path

import requests

from scripts.devstack import ROOT, free_port


def test_the_procfile_line_serves_the_simulator_with_state_under_the_var_dir(tmp_path: Path) -> None:
    [line] = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("irec:")]
    port = free_port()
    env = {**os.environ, "DREC_VAR_DIR": str(tmp_path), "DREC_IREC_SIMULATOR_PORT": str(port)}
    process = subprocess.Popen(["bash", "-c", f"exec {line.split(':', 1)[1]}"], cwd=ROOT, env=env)  # noqa: S607
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=1).json() == {"status": "ok"}
        assert (tmp_path / "irec" / "registry.sqlite3").is_file()
    finally:
        process.terminate()
        process.wait(10)
