"""Register the npm-backed `solc` shim with py-solc-x, so `ape compile` finds a compiler offline.

py-solc-x only uses compilers inside its own install folder; being on PATH is not enough. We place a tiny
launcher there that runs this checkout's shim with node. The folder is this checkout's own `.solcx`
(`SOLCX_BINARY_PATH`, set by the Makefile and by scripts/devstack.py), so two checkouts on one machine never
run each other's shim. Idempotent; run by `make`. See docs/adr/0002-solc-from-solcjs.md.
"""

import stat
import subprocess
from pathlib import Path

import solcx

ROOT = Path(__file__).resolve().parent.parent
SHIM = ROOT / "scripts" / "solc"


def shim_version() -> str:
    out = subprocess.run([str(SHIM), "--version"], check=True, capture_output=True, text=True).stdout  # noqa: S603 - our own shim
    return out.splitlines()[-1].split()[-1].split("+")[0]


def main() -> None:
    version = shim_version()
    folder = solcx.get_solcx_install_folder()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"solc-v{version}"
    target.write_text(f'#!/bin/sh\nexec node "{SHIM}" "$@"\n')
    target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    print(f"solc {version} (solcjs shim) registered at {target}")


if __name__ == "__main__":
    main()
