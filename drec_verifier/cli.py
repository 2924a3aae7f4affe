"""`python -m drec_verifier`: check a certificate, a reservation or the whole registry from a chain RPC URL and
the registry's public address (or contract addresses and a gateway), printing a verdict; exit status 0 only
when everything is consistent (1: inconsistent, 2: not found or not reachable)."""

import argparse
import json
import re
import sys
import uuid
from typing import Any

from drec_verifier import certificate, ledger, reservation
from drec_verifier.chain import ChainError, Rpc
from drec_verifier.registry import check_discovery, verify_all
from drec_verifier.report import CONSISTENT, Report
from drec_verifier.sources import Sources, discover, gateway, published_records

TOKEN_ID = re.compile(r"[0-9]{1,78}|0x[0-9a-fA-F]{64}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="drec_verifier", description=__doc__)
    p.add_argument("--rpc", required=True, help="JSON-RPC URL of a node of the registry's chain (your own)")
    p.add_argument("--registry", help="the registry's public URL: addresses, first block, gateway and its records")
    p.add_argument("--certificates", help="DrecCertificates address (instead of --registry)")
    p.add_argument("--reservation-log", help="ReservationLog address (instead of --registry)")
    p.add_argument("--from-block", type=int, help="first block to scan (default: the deployment block)")
    p.add_argument("--gateway", help="document gateway base URL serving /ipfs/{cid} (default: the registry)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    commands = p.add_subparsers(dest="command", required=True)
    commands.add_parser("certificate", help="check one certificate").add_argument("token", help="token id")
    commands.add_parser("reservation", help="check one reservation").add_argument("reservation_id")
    commands.add_parser("all", help="check every certificate and reservation")
    return p


def sources_from(args: argparse.Namespace, facts: dict[str, Any]) -> Sources:
    contracts = facts.get("contracts", {})
    certificates = args.certificates or contracts["DrecCertificates"]["address"]
    reservation_log = args.reservation_log or contracts["ReservationLog"]["address"]
    first = args.from_block if args.from_block is not None else facts.get("deployment_block", 0)
    documents = gateway(args.gateway or facts.get("gateway") or args.registry)
    records = published_records(args.registry) if args.registry else None
    return Sources(Rpc.connect(args.rpc), certificates, reservation_log, first, documents, records)


def run(args: argparse.Namespace) -> Report | str:
    """The report, or why there is none (not found)."""
    facts: dict[str, Any] = discover(args.registry) if args.registry else {}
    sources = sources_from(args, facts)
    if args.command == "all":
        report = verify_all(sources, progress=not args.json)
        if facts:
            check_discovery(report, sources, facts)
            report.facts["inconsistent"] = [c["name"] for c in report.checks if not c["passed"]]
        return report
    if args.command == "certificate":
        if not TOKEN_ID.fullmatch(args.token) or int(args.token, 0) >= 2**256:
            return f"{args.token!r} is not a token id."
        token = int(args.token, 0)
        book = ledger.for_tokens(sources, [token])
        return certificate.verify(sources, book, token) if token in book.issued else f"Token {token} was never issued."
    try:
        rid = uuid.UUID(args.reservation_id)
    except ValueError:
        return f"{args.reservation_id!r} is not a reservation id."
    events = reservation.log_events(sources, rid)
    return reservation.verify(sources, rid, events) if events else f"Reservation {rid} was never logged."


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        outcome = run(args)
    except (ChainError, OSError, KeyError) as error:
        print(f"cannot verify: {error}", file=sys.stderr)
        return 2
    if isinstance(outcome, str):
        print(json.dumps({"verdict": "not_found", "detail": outcome}) if args.json else outcome)
        return 2
    print(json.dumps(outcome.as_json(), indent=2, default=str) if args.json else human(outcome))
    return 0 if outcome.verdict == CONSISTENT else 1


def human(report: Report) -> str:
    lines = [f"{report.kind} {report.subject}: {report.verdict.upper()}"]
    lines += [
        f"  [{'ok' if c['passed'] else 'FAILED'}] {c['name']}: {c['detail']}"
        for c in report.checks
        if not c["passed"] or report.kind != "registry"
    ]
    for row in report.facts.get("totals", []):
        lines.append(
            f"  {row['country']} {row['period']}: issued {row['issued_wh']} Wh, held {row['held_wh']} Wh, "
            f"claimed {row['claimed_wh']} Wh"
        )
    return "\n".join(lines)
