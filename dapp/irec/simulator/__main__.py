"""`python -m dapp.irec.simulator`: serve the I-REC registry simulator until SIGTERM or Ctrl-C."""

import argparse
import os
from pathlib import Path

from werkzeug.serving import run_simple

from dapp.irec.simulator.app import create_app
from dapp.irec.simulator.state import Registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("DREC_IREC_SIMULATOR_PORT", "5100")))
    parser.add_argument("--state", type=Path, default=Path("var/irec/registry.sqlite3"))
    parser.add_argument("--token", default=os.environ.get("DREC_IREC_REGISTRY_TOKEN", "development-irec-token"))
    parser.add_argument("--platform-account", default=os.environ.get("DREC_IREC_PLATFORM_ACCOUNT", "PLATFORM-1"))
    parser.add_argument("--redemption-account", default=os.environ.get("DREC_IREC_REDEMPTION_ACCOUNT", "REDEEM-1"))
    args = parser.parse_args()
    registry = Registry(args.state, (args.platform_account, args.redemption_account))
    run_simple(args.host, args.port, create_app(registry, args.token), threaded=True)


if __name__ == "__main__":
    main()
