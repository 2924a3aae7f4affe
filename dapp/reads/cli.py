"""`drec yield set|unset|list` (per-country yields, R-READ-7) and `drec reads partitions` (ADR 0030)."""

import argparse
from decimal import Decimal, InvalidOperation
from typing import Any

from dapp import platform
from dapp.errors import DomainError
from dapp.reads import partitions
from dapp.reads.service import yields


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
