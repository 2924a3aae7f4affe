"""The `drec` command for operators (R-CLI-1)."""

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from dapp import logs, operate, platform
from dapp.admin import cli as admin_cli
from dapp.chain import cli as chain_cli
from dapp.chain import contracts, keystore
from dapp.jobs import outbox
from dapp.platform import QUEUE_NAMES
from dapp.reads import cli as reads_cli


def _issuance_run(args: argparse.Namespace) -> None:
    from dapp.issuance.service import windows

    p = platform.current()
    until = datetime.fromisoformat(args.until) if args.until else p.clock.now()
    with p.db.unit_of_work() as session:
        certificates = windows.run_until(session, until, p.clock.now())
        print(json.dumps({"certificates": [str(c.id) for c in certificates]}))


def _clock(args: argparse.Namespace) -> None:
    p = platform.current()
    if args.action == "set":
        p.clock.set(datetime.fromisoformat(args.instant))
    elif args.action == "reset":
        p.clock.reset()
    print(p.clock.now().isoformat())


def _worker(args: argparse.Namespace) -> None:
    from dapp.jobs import worker

    worker.run(args.queues)


def _scheduler(_: argparse.Namespace) -> None:
    from dapp.jobs.scheduler import run_forever

    run_forever()


def _indexer(_: argparse.Namespace) -> None:
    from indexer.run import main

    main()


def _web(args: argparse.Namespace) -> None:
    from dapp.app import create_app

    create_app(platform.current().settings).run(host=args.host, port=args.port, debug=False, use_reloader=False)


def _demo_seed(_: argparse.Namespace) -> None:
    from dapp import demo

    print("Demo logins (email / password):")
    for line in demo.seed():
        print(f"  {line}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="drec", description="Operate the D-REC registry.")
    commands = parser.add_subparsers(dest="command", required=True)
    issuance = commands.add_parser("issuance", help="issuance windows").add_subparsers(dest="action", required=True)
    run = issuance.add_parser("run", help="certify every window closed by --until (default: now)")
    run.add_argument("--until", help="ISO 8601 instant with offset")
    run.set_defaults(handler=_issuance_run)
    operate.add_issuance_commands(issuance)
    clock = commands.add_parser("clock", help="show or move the development clock")
    clock.add_argument("action", choices=["show", "set", "reset"])
    clock.add_argument("instant", nargs="?", help="ISO 8601 instant with offset, for 'set'")
    clock.set_defaults(handler=_clock)
    worker = commands.add_parser("worker", help="run an RQ worker")
    worker.add_argument("queues", nargs="*", default=list(QUEUE_NAMES))
    worker.set_defaults(handler=_worker)
    demo = commands.add_parser("demo", help="demo data").add_subparsers(dest="action", required=True)
    demo.add_parser("seed", help="create demo accounts and a device").set_defaults(handler=_demo_seed)
    admin_cli.add_commands(commands)
    chain_cli.add_commands(commands)
    reads_cli.add_commands(commands)
    commands.add_parser("scheduler", help="run the scheduler").set_defaults(handler=_scheduler)
    indexer = commands.add_parser("indexer", help="run the chain indexer (or replay it from a block)")
    indexer.set_defaults(handler=_indexer)
    operate.add_indexer_commands(indexer.add_subparsers(dest="action"))
    operate.add_commands(commands)
    web = commands.add_parser("web", help="run the web server (development)")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=5000)
    web.set_defaults(handler=_web)
    return parser


PROCESSES = ("worker", "scheduler", "indexer", "web")  # the long-running ones: refused on a wrong chain
SIGNING = ("worker", "web")  # those that sign (transactions, claim statements): the key is unlocked at start


def _check_chain(settings: Any, unlock: bool) -> None:
    """Refuse to start against another chain or without the platform signer's key (ADR 0116, 0118)."""
    try:
        contracts.check_network(settings)
        if unlock:
            keystore.platform_key(settings)
    except (contracts.WrongChain, keystore.KeystoreError) as error:
        raise SystemExit(f"drec: refusing to start: {error}") from None


def main(argv: list[str] | None = None) -> None:
    logs.configure()
    outbox.install()
    args = _parser().parse_args(argv)
    print(operate.describe(platform.current().settings), file=sys.stderr)
    if args.command in PROCESSES:
        _check_chain(platform.current().settings, unlock=args.command in SIGNING)
    handler: Callable[[argparse.Namespace], None] = args.handler
    handler(args)
