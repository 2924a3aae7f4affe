"""One reservation checked (R-VER-2): its log on chain (created, devices changed, ended), each device list
fetched by CID and checked against the hash the log records, the registry's record as a witness, and every
certificate of the reservation: its own verdict, its window one of the reservation's, and each contributing
device a member of the reservation (by the log) throughout its contribution."""

import json
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from drec_verifier import certificate, content, ledger
from drec_verifier.chain import TOPICS, Event, topic_bytes16
from drec_verifier.overlaps import double_certified
from drec_verifier.report import Report
from drec_verifier.sources import DocumentUnavailable, Sources
from drec_verifier.windows import is_window

LOG_EVENTS = ("ReservationCreated", "ReservationDevicesChanged", "ReservationEnded")
Memberships = dict[str, list[list[datetime]]]  # device id -> [from, until) intervals


def log_events(sources: Sources, reservation_id: uuid.UUID) -> list[Event]:
    topics = [[TOPICS[name] for name in LOG_EVENTS], topic_bytes16(reservation_id.bytes)]
    return sources.rpc.events(sources.reservation_log, topics, sources.first_block)


def verify(
    sources: Sources,
    reservation_id: uuid.UUID,
    events: list[Event],
    book: ledger.Ledger | None = None,
    verdicts: dict[int, Report] | None = None,
) -> Report:
    """The report of a reservation whose log has `events` (at least one); `book` and `verdicts` are the
    ledger and the certificates' reports when a whole-registry scan already has them."""
    report = Report("reservation", str(reservation_id))
    entries = [_entry(sources, report, event, reservation_id) for event in events]
    report.facts["log"] = entries
    created = [e for e in entries if e["event"] == "ReservationCreated"]
    report.check(
        "log opens with the creation",
        entries[0]["event"] == "ReservationCreated" and len(created) == 1,
        f"{len(created)} creation entr{'y' if len(created) == 1 else 'ies'} among {len(entries)}.",
    )
    if not created:
        return report
    facts = _facts(created[0], entries)
    report.facts["reservation"] = {k: v for k, v in facts.items() if k != "memberships"}
    if sources.records is not None:
        _record_check(report, sources.records("reservation", str(reservation_id)), facts)
    _certificates(sources, report, reservation_id, facts, book, verdicts if verdicts is not None else {})
    return report


def _entry(sources: Sources, report: Report, event: Event, reservation_id: uuid.UUID) -> dict[str, Any]:
    args = {k: (v.hex() if isinstance(v, bytes) else v) for k, v in event.args.items() if k != "reservationId"}
    entry: dict[str, Any] = {"event": event.name, "tx_hash": event.tx_hash, "block_number": event.block_number, **args}
    if event.name == "ReservationEnded":
        return entry
    cid, digest = event.args["devicesCid"], event.args["devicesHash"]
    entry["devices_cid"] = cid
    name = f"device list of block {event.block_number} matches the log"
    try:
        raw = sources.document(cid) if content.is_cid(cid) else b""
    except DocumentUnavailable as error:
        report.check(name, False, f"{cid}: {error}")
        return entry
    try:
        document = json.loads(raw)
    except ValueError:
        document = None
    ok = content.cid_of(raw) == cid and content.keccak(raw) == digest and isinstance(document, dict)
    ok = ok and document.get("reservation_id") == str(reservation_id)
    report.check(
        name,
        ok,
        f"{cid}: its bytes hash to the CID and to the keccak-256 the log records, and it names this reservation."
        if ok
        else f"{cid}: the list's bytes, hash or reservation differ from the log.",
    )
    entry["document"] = document
    return entry


def _facts(created: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    start, end = _at(created["periodStart"]), _at(created["periodEnd"])
    document = created.get("document") or {}
    facts: dict[str, Any] = {
        "buyer": created["buyer"].lower(),
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "frequency": created["frequency"],
        "target_wh": created["targetWh"] or None,
        "authority_to_exceed": created["authorityToExceed"],
        "issuance_time_zone": document.get("issuance_time_zone"),
        "ended_at": None,
        "device_ids": sorted(document.get("device_ids", [])),
    }
    members: Memberships = defaultdict(list)
    for device in facts["device_ids"]:
        members[device].append([start, end])
    for entry in entries[1:]:
        _apply(entry, facts, members)
    facts["memberships"] = members
    return facts


def _apply(entry: dict[str, Any], facts: dict[str, Any], members: Memberships) -> None:
    if entry["event"] == "ReservationEnded":
        ended = _at(entry["endedAt"])
        facts["ended_at"] = ended.isoformat()
        for intervals in members.values():
            for interval in intervals:
                interval[1] = min(interval[1], ended)
        return
    document = entry.get("document") or {}
    until = datetime.fromisoformat(facts["ended_at"] or facts["period_end"])
    for added in document.get("added", []):
        members[added["device_id"]].append([datetime.fromisoformat(added["from"]), until])
    for removed in document.get("removed", []):
        for interval in members.get(removed["device_id"], []):
            interval[1] = min(interval[1], datetime.fromisoformat(removed["until"]))
    facts["device_ids"] = sorted(document.get("device_ids", facts["device_ids"]))


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _record_check(report: Report, record: dict[str, Any] | None, facts: dict[str, Any]) -> None:
    name = "registry's record agrees"
    if record is None:
        report.check(name, False, "The registry has no record of this reservation.")
        return
    pairs = {
        "wallet": (record["wallet_address"].lower(), facts["buyer"]),
        "period start": (_normal(record["period_start"]), facts["period_start"]),
        "period end": (_normal(record["period_end"]), facts["period_end"]),
        "frequency": (record["frequency"], facts["frequency"]),
        "target": (record["target_wh"], facts["target_wh"]),
        "authority to exceed": (record["authority_to_exceed"], facts["authority_to_exceed"]),
        "devices": (sorted(record["device_ids"]), facts["device_ids"]),
        "ended": (_normal(record["ended_at"]), facts["ended_at"]),
    }
    if facts["issuance_time_zone"] is not None:
        pairs["issuance time zone"] = (record["timezone"], facts["issuance_time_zone"])
    differ = [field for field, (ours, theirs) in pairs.items() if ours != theirs]
    report.check(
        name,
        not differ,
        "The registry's record agrees with the log."
        if not differ
        else f"The registry's record differs from the log on: {', '.join(differ)}.",
    )


def _normal(instant: str | None) -> str | None:
    return datetime.fromisoformat(instant).astimezone(UTC).isoformat() if instant else None


def _certificates(
    sources: Sources,
    report: Report,
    reservation_id: uuid.UUID,
    facts: dict[str, Any],
    book: ledger.Ledger | None,
    verdicts: dict[int, Report],
) -> None:
    if book is None:
        topics = [TOPICS["CertificateIssued"], None, None, topic_bytes16(reservation_id.bytes)]
        issued = sources.rpc.events(sources.certificates, topics, sources.first_block)
        book = ledger.for_tokens(sources, [e.args["id"] for e in issued], issued)
    rid = reservation_id.bytes
    tokens = [token for token, event in book.issued.items() if event.args["reservationId"] == rid]
    rows = []
    for token in tokens:
        verdict = verdicts.get(token) or certificate.verify(sources, book, token)
        verdicts[token] = verdict
        document = verdict.facts.get("metadata")
        problems = _membership_problems(document, facts) if isinstance(document, dict) else ["no document"]
        rows.append(
            {
                "token_id": str(token),
                "verdict": verdict.verdict,
                "volume_wh": book.issued[token].args["volumeWh"],
                "window": (document or {}).get("window"),
                "membership_problems": problems,
            }
        )
        report.check(
            f"certificate {token}",
            verdict.verdict == "consistent" and not problems,
            "Consistent; its window is one of the reservation's and every device was a member throughout."
            if not problems and verdict.verdict == "consistent"
            else "; ".join([*problems, *(c["name"] for c in verdict.checks if not c["passed"])]),
        )
    report.facts["certificates"] = rows
    twice = double_certified({token: verdicts[token] for token in tokens if token in verdicts})
    report.check(
        "no energy certified twice in the reservation",
        not twice,
        f"{len(twice)} overlapping contribution pair(s) across its certificates.",
    )


def _membership_problems(document: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    problems = []
    try:
        window = document["window"]
        start, end = datetime.fromisoformat(window["start"]), datetime.fromisoformat(window["end"])
        zone = facts["issuance_time_zone"]
        first, last = datetime.fromisoformat(facts["period_start"]), datetime.fromisoformat(facts["period_end"])
        if facts["ended_at"]:
            last = min(last, datetime.fromisoformat(facts["ended_at"]))
        if zone is not None and not is_window(start, end, facts["frequency"], ZoneInfo(zone), first, last):
            problems.append(
                f"window {window['start']} – {window['end']} is not a {facts['frequency']} window in {zone}"
            )
        for c in document["contributions"]:
            c_start, c_end = datetime.fromisoformat(c["start"]), datetime.fromisoformat(c["end"])
            intervals = facts["memberships"].get(c["device_id"], [])
            if not any(since <= c_start and c_end <= until for since, until in intervals):
                problems.append(f"device {c['device_id']} was not a member from {c['start']} to {c['end']}")
    except (KeyError, TypeError, ValueError, ZoneInfoNotFoundError) as error:
        problems.append(f"the document cannot be read for membership: {error}")
    return problems
