"""The whole registry checked (`all`): every event of both contracts from the first block, every certificate
and reservation, energy certified twice across certificates, and totals issued / held / claimed by country and
period."""

import sys
import uuid
from collections import defaultdict
from typing import Any

from drec_verifier import certificate, ledger, reservation
from drec_verifier.chain import TOPICS, Event
from drec_verifier.content import keccak
from drec_verifier.overlaps import double_certified
from drec_verifier.report import Report
from drec_verifier.sources import Sources

PROGRESS_EVERY = 500


def verify_all(sources: Sources, progress: bool = False) -> Report:
    last = sources.rpc.head()
    book = ledger.everything(sources, last)
    report = Report("registry", f"blocks {sources.first_block}–{last}")
    verdicts = _certificates(sources, book, progress)
    logs = _logs(sources, last)
    reservations = {rid: reservation.verify(sources, rid, events, book, verdicts) for rid, events in logs.items()}
    for token, verdict in verdicts.items():
        failed = [c["name"] for c in verdict.checks if not c["passed"]]
        report.check(f"certificate {token}", not failed, "consistent" if not failed else ", ".join(failed))
    for rid, verdict in reservations.items():
        failed = [c["name"] for c in verdict.checks if not c["passed"]]
        report.check(f"reservation {rid}", not failed, "consistent" if not failed else ", ".join(failed))
    orphans = [str(t) for t, e in book.issued.items() if uuid.UUID(bytes=e.args["reservationId"]) not in logs]
    report.check(
        "every certificate belongs to a logged reservation",
        not orphans,
        "Yes." if not orphans else f"Tokens of reservations the log never names: {', '.join(orphans)}.",
    )
    twice = double_certified(verdicts)
    report.check("no energy certified twice", not twice, f"{len(twice)} overlapping contribution pair(s).")
    report.facts.update(
        certificates=len(verdicts),
        reservations=len(reservations),
        double_certified=twice,
        totals=totals(book, verdicts),
        inconsistent=[c["name"] for c in report.checks if not c["passed"]],
    )
    return report


def _certificates(sources: Sources, book: ledger.Ledger, progress: bool) -> dict[int, Report]:
    commitments: dict[Any, bool] = {}
    verdicts = {}
    for done, token in enumerate(book.issued, start=1):
        verdicts[token] = certificate.verify(sources, book, token, commitments)
        if progress and done % PROGRESS_EVERY == 0:
            print(f"{done}/{len(book.issued)} certificates checked", file=sys.stderr)
    return verdicts


def _logs(sources: Sources, last: int) -> dict[uuid.UUID, list[Event]]:
    topics = [[TOPICS[name] for name in reservation.LOG_EVENTS]]
    grouped: dict[uuid.UUID, list[Event]] = defaultdict(list)
    for event in sources.rpc.events(sources.reservation_log, topics, sources.first_block, last):
        grouped[uuid.UUID(bytes=event.args["reservationId"])].append(event)
    return grouped


def totals(book: ledger.Ledger, verdicts: dict[int, Report]) -> list[dict[str, Any]]:
    """Wh issued, held and claimed by (country, generation month), from the chain; the country from the
    certificate's document ('unknown' when it could not be read)."""
    sums: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"issued_wh": 0, "held_wh": 0, "claimed_wh": 0})
    for token, event in book.issued.items():
        document = verdicts[token].facts.get("metadata")
        country = document.get("country_code", "unknown") if isinstance(document, dict) else "unknown"
        period = verdicts[token].facts["chain"]["period_start"][:7]
        claimed = sum(e.args["value"] for e in book.claims.get(token, []))
        row = sums[(country, period)]
        row["issued_wh"] += event.args["volumeWh"]
        row["claimed_wh"] += claimed
        row["held_wh"] += event.args["volumeWh"] - claimed
    return [{"country": c, "period": p, **v} for (c, p), v in sorted(sums.items())]


def check_discovery(report: Report, sources: Sources, facts: dict[str, Any]) -> None:
    """What the registry publishes about itself, confirmed by the chain: the node's chain id, and the accounts
    it names holding the writer roles of the contracts."""
    chain_id = sources.rpc.chain_id()
    report.check(
        "the node is on the registry's chain",
        chain_id == facts.get("chain_id"),
        f"The node's chain id is {chain_id}; the registry publishes {facts.get('chain_id')}.",
    )
    roles = [
        ("issuer_accounts", sources.certificates, "ISSUER_ROLE"),
        ("logger_accounts", sources.reservation_log, "LOGGER_ROLE"),
    ]
    for key, address, role in roles:
        for account in facts.get(key, []):
            held = sources.rpc.view(
                address, "hasRole(bytes32,address)", ["bytes32", "address"], [keccak(role.encode()), account], "bool"
            )
            report.check(
                f"{account} holds {role}",
                held,
                "Confirmed by the contract."
                if held
                else "The contract says this account does not hold the role the registry names.",
            )
