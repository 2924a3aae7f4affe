"""`drec` commands for operators (R-CLI-1, ADR 0092): migrate, seed, issuance of a window and late issuance on
demand, indexer replay, outbox retry, health, master-key rotation and the signer's balance.

Each reads the same configuration as the servers (`DREC_…` variables, `var/stack.env`, `.env`) and, before it acts,
says on stderr which database, Redis and chain it talks to and which configuration files it read, so a command
run from the wrong folder cannot act on another stack's data unnoticed.
"""

import argparse
import json
import sys
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.engine import make_url

from dapp import migrations, platform
from dapp.errors import DomainError
from dapp.settings import Settings


def describe(settings: Settings) -> str:
    """The servers a command talks to, passwords hidden, and the configuration files it read."""
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    names = Settings.model_config.get("env_file")
    paths = [Path(str(name)) for name in (names if isinstance(names, tuple) else (names,)) if name]
    files = [str(path.resolve()) for path in paths if path.exists()]
    return (
        f"drec: database {database} · redis {_without_password(settings.redis_url)} · chain {settings.chain_rpc_url} "
        f"(chain id {settings.chain_id}) · configuration from {', '.join(files) or 'the environment only'}"
    )


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def add_commands(commands: Any) -> None:
    commands.add_parser("migrate", help="bring the database to the newest schema").set_defaults(handler=_migrate)
    commands.add_parser("seed", help="create the demo accounts and device (idempotent)").set_defaults(handler=_seed)
    outbox = commands.add_parser("outbox", help="the chain outbox").add_subparsers(dest="action", required=True)
    retry = outbox.add_parser("retry", help="make failed or backing-off entries due now")
    retry.add_argument("ids", nargs="*", type=int, help="entry ids")
    retry.add_argument("--failed", action="store_true", help="every failed entry")
    retry.set_defaults(handler=_outbox_retry)
    health = commands.add_parser("health", help="dependencies, queues, outbox, indexer; exit 1 when unhealthy")
    health.set_defaults(handler=_health)
    keys = commands.add_parser("keys", help="organization keys").add_subparsers(dest="action", required=True)
    rotate = keys.add_parser("rotate", help="re-encrypt every managed key with a new secret key (read from stdin)")
    rotate.set_defaults(handler=_rotate_keys)
    signer = commands.add_parser("signer", help="the platform signer").add_subparsers(dest="action", required=True)
    signer.add_parser("balance", help="its address and balance").set_defaults(handler=_signer_balance)


def add_issuance_commands(issuance: Any) -> None:
    window = issuance.add_parser("window", help="certify one window of a reservation now")
    window.add_argument("reservation", type=uuid.UUID)
    window.add_argument("start", type=datetime.fromisoformat, help="ISO 8601 instant with offset")
    window.add_argument("end", type=datetime.fromisoformat, help="ISO 8601 instant with offset")
    window.set_defaults(handler=_issuance_window)
    issuance.add_parser("late", help="certify late energy of certified windows now (R-READ-9)").set_defaults(
        handler=_issuance_late
    )


def add_indexer_commands(indexer: Any) -> None:
    replay = indexer.add_parser("replay", help="index again from a block (its events and later ones are rewritten)")
    replay.add_argument("--from-block", type=int, required=True)
    replay.set_defaults(handler=_indexer_replay)


def _indexer_replay(args: argparse.Namespace) -> None:
    from indexer.run import replay_from

    print(f"the indexer continues from block {replay_from(args.from_block)}")


def _migrate(_: argparse.Namespace) -> None:
    migrations.upgrade(platform.current().settings.database_url)
    print("database at the newest revision")


def _seed(_: argparse.Namespace) -> None:
    from dapp import demo

    for line in demo.seed():
        print(line)


def _issuance_window(args: argparse.Namespace) -> None:
    from dapp.issuance.service.certify import certify_window

    p = platform.current()
    with p.db.unit_of_work() as session:
        certificates = certify_window(session, args.reservation, args.start, args.end, p.clock.now())
        print(json.dumps({"certificates": [str(c.id) for c in certificates]}))


def _issuance_late(_: argparse.Namespace) -> None:
    from dapp.issuance.service import windows
    from dapp.issuance.service.certify import certify_late

    p = platform.current()
    now = p.clock.now()
    found: list[str] = []
    with p.db.unit_of_work() as session:
        for window in windows.late_windows(session, now, _grace(p.settings)):
            found += [str(c.id) for c in certify_late(session, window.reservation_id, window.start, window.end, now)]
    print(json.dumps({"certificates": found}))


def _grace(settings: Settings) -> timedelta:
    return timedelta(days=settings.late_reads_grace_days)


def _outbox_retry(args: argparse.Namespace) -> None:
    from dapp.admin.service import outbox

    p = platform.current()
    with p.db.unit_of_work() as session:
        ids = args.ids + (outbox.failed_entry_ids(session) if args.failed else [])
        if not ids:
            raise SystemExit("drec outbox retry: name entry ids, or --failed")
        try:
            for entry_id in ids:
                entry = outbox.retry_entry(session, None, p.clock.now(), entry_id)
                print(f"entry {entry.id} ({entry.kind}): due now")
        except DomainError as error:
            raise SystemExit(f"drec outbox retry: entry {entry_id}: {error.detail} Nothing was retried.") from error


def _health(_: argparse.Namespace) -> None:
    from dapp.admin import operations

    report = operations.snapshot(platform.current())
    print(json.dumps({"healthy": report.healthy, **report.as_dict()}, indent=2, default=str))
    if not report.healthy:
        raise SystemExit(1)


def _rotate_keys(_: argparse.Namespace) -> None:
    from dapp.admin.service import keys

    p = platform.current()
    new_secret = sys.stdin.readline().rstrip("\n")
    if len(new_secret) < 32:
        raise SystemExit("drec keys rotate: give the new secret key (at least 32 characters) on stdin")
    try:
        with p.db.unit_of_work() as session:
            count = keys.rotate_managed_keys(session, p.settings.secret_key, new_secret)
    except DomainError as error:
        raise SystemExit(f"drec keys rotate: {error.detail}") from error
    print(f"{count} organization key(s) re-encrypted; set DREC_SECRET_KEY to the new secret and restart every process")


def _signer_balance(_: argparse.Namespace) -> None:
    from dapp.chain import contracts

    chain = contracts.from_settings(platform.current().settings)
    wei = chain.web3.eth.get_balance(chain.signer.address)
    print(json.dumps({"address": chain.signer.address, "balance_wei": wei, "balance_eth": str(Decimal(wei) / 10**18)}))
