"""`drec yield set|unset|list` (per-country yields, R-READ-7), `drec reads partitions` (ADR 0030) and
`drec reads import-original` (an export of the original D-REC platform, R-READ-2)."""

import argparse
import uuid
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from dapp import platform
from dapp.access.permissions import Actor
from dapp.errors import DomainError
from dapp.models.accounts import Organization
from dapp.reads import partitions
from dapp.reads.service import ingestion, original_import, yields


def add_commands(commands: Any) -> None:
    """Add `yield …` and `reads partitions` to the `drec` command's subparsers."""
    group = commands.add_parser("yield", help="yield per country (kWh/kWp/year)").add_subparsers(
        dest="action", required=True
    )
    set_ = group.add_parser("set", help="set a country's yield, e.g. `drec yield set KEN 1800`")
    set_.add_argument("country")
    set_.add_argument("value")
    set_.set_defaults(handler=_set)
    unset = group.add_parser("unset", help="remove a country's yield (its devices use the default)")
    unset.add_argument("country")
    unset.set_defaults(handler=_unset)
    group.add_parser("list", help="list the configured yields").set_defaults(handler=_list)
    reads = commands.add_parser("reads", help="meter reads").add_subparsers(dest="action", required=True)
    ahead = reads.add_parser("partitions", help="create the monthly partitions of the coming months")
    ahead.add_argument("--months", type=int, default=partitions.MONTHS_AHEAD)
    ahead.set_defaults(handler=_partitions)
    original = reads.add_parser("import-original", help="register an original D-REC export's devices and reads")
    original.add_argument("organization_id", help="the developer organization that will own the devices")
    original.add_argument("--devices", help="the devices export (JSON)")
    original.add_argument("--reads", help="the history reads export (CSV or JSON)")
    original.set_defaults(handler=_import_original)


def _set(args: argparse.Namespace) -> None:
    p = platform.current()
    try:
        value = Decimal(args.value)
        with p.db.unit_of_work() as session:
            row = yields.set_yield(session, None, args.country, value, p.clock.now())
            print(f"{row.country_code}: {row.yield_kwh_per_kwp} kWh/kWp/year")
    except (DomainError, InvalidOperation) as error:
        raise SystemExit(f"error: {getattr(error, 'detail', 'the value must be a number')}") from error


def _unset(args: argparse.Namespace) -> None:
    p = platform.current()
    try:
        with p.db.unit_of_work() as session:
            yields.unset_yield(session, None, args.country, p.clock.now())
    except DomainError as error:
        raise SystemExit(f"error: {error.detail}") from error
    print(f"{args.country.upper()}: removed")


def _list(_: argparse.Namespace) -> None:
    with platform.current().db.unit_of_work() as session:
        for row in yields.list_all(session):
            print(f"{row.country_code}: {row.yield_kwh_per_kwp} kWh/kWp/year")


def _partitions(args: argparse.Namespace) -> None:
    p = platform.current()
    created = partitions.ensure_months(p.db.engine, partitions.coming_months(p.clock.now(), args.months))
    print("created: " + (", ".join(m.strftime("%Y-%m") for m in created) or "nothing (all there)"))


def _import_original(args: argparse.Namespace) -> None:
    p = platform.current()
    now = p.clock.now()
    with p.db.unit_of_work() as session:
        organization = session.get(Organization, uuid.UUID(args.organization_id))
        if organization is None:
            raise SystemExit(f"error: no organization {args.organization_id}")
        actor = Actor(organization.id, organization.type, is_org_admin=True)
        reports = []
        if args.devices:
            rows = original_import.devices_from(Path(args.devices).read_text(encoding="utf-8"))
            reports += original_import.import_devices(session, actor, now, rows)
        if args.reads:
            rows = original_import.reads_from(Path(args.reads).read_text(encoding="utf-8"))
            reports += original_import.import_reads(session, actor, rows, ingestion.policy_from(p.settings, now))
    for report in reports:
        print(report.line())
