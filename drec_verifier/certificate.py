"""One certificate checked (R-VER-1): its `CertificateIssued` event against the contract's batch commitment,
the metadata document the event names (CID, Merkle root, every field, the token-id derivation), holdings that
add up, and — when a witness is given — the registry's own record."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from drec_verifier import content
from drec_verifier.chain import CERTIFICATE_DATA, ChainError, Event
from drec_verifier.ledger import Ledger, claim_facts
from drec_verifier.report import Report
from drec_verifier.sources import DocumentUnavailable, Sources

LATE_ROUNDS_OF_V1 = 16  # version-1 documents do not name their issuance round: rounds below this are tried


def verify(sources: Sources, ledger: Ledger, token: int, commitments: dict[Any, bool] | None = None) -> Report:
    """The report of an issued token (`token in ledger.issued`)."""
    event = ledger.issued[token]
    report = Report("certificate", str(token))
    report.facts["chain"] = chain_facts(event, ledger)
    report.check(
        "issued on chain", True, f"CertificateIssued in transaction {event.tx_hash}, block {event.block_number}."
    )
    report.check(*_commitment(sources, ledger, token, commitments if commitments is not None else {}))
    document = _document(sources, event, report)
    if document is not None:
        _document_checks(report, document, event)
    _holdings(report, ledger, token, event.args["volumeWh"])
    if report.facts["chain"]["irec"] and report.facts["chain"]["irec"]["state"] == "issued":
        _irec_document(sources, report, token)
    if sources.records is not None:
        _record_check(report, sources.records("certificate", str(token)), document)
    return report


def chain_facts(event: Event, ledger: Ledger) -> dict[str, Any]:
    a = event.args
    return {
        "token_id": str(a["id"]),
        "issued_to": a["to"].lower(),
        "reservation_id": str(uuid.UUID(bytes=a["reservationId"])),
        "volume_wh": a["volumeWh"],
        "period_start": _instant(a["periodStart"]),
        "period_end": _instant(a["periodEnd"]),
        "metadata_cid": metadata_cid(event),
        "contributions_root": "0x" + a["contributionsRoot"].hex(),
        "tx_hash": event.tx_hash,
        "block_number": event.block_number,
        "revoked": a["id"] in ledger.revoked,
        "revocation_reason": ledger.revoked.get(a["id"]),
        "irec": ledger.irec(a["id"]),
    }


def metadata_cid(event: Event) -> str:
    return content.cid_text(event.args["cidPrefix"] + event.args["cidDigest"])


def _instant(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def _commitment(sources: Sources, ledger: Ledger, token: int, known: dict[Any, bool]) -> tuple[str, bool, str]:
    """Whether the contract committed the token's batch as its events publish it; asked once per batch."""
    name = "event matches the on-chain commitment"
    batch = ledger.batch_of(token)
    if not batch:
        return name, False, "No BatchCommitted closes the certificate's batch in its transaction."
    identity = (batch[0].tx_hash, batch[0].log_index)
    if identity not in known:
        rows = [_row(e.args) for e in batch]
        try:
            known[identity] = sources.rpc.view(
                sources.certificates, f"isCommitted({CERTIFICATE_DATA}[])", [f"{CERTIFICATE_DATA}[]"], [rows], "bool"
            )
        except ChainError as error:
            return name, False, f"The contract could not be asked: {error}."
    if known[identity]:
        return name, True, f"The contract confirms the batch of {len(batch)} certificate(s) as its events publish it."
    return name, False, "The events of the certificate's batch do not match the commitment the contract stored."


def _row(a: dict[str, Any]) -> tuple[Any, ...]:
    return (
        a["id"].to_bytes(32, "big"),
        a["to"],
        a["volumeWh"],
        a["periodStart"],
        a["periodEnd"],
        a["reservationId"],
        a["contributionsRoot"],
        a["cidPrefix"],
        a["cidDigest"],
    )


def _document(sources: Sources, event: Event, report: Report) -> dict[str, Any] | None:
    cid = metadata_cid(event)
    try:
        raw = sources.document(cid)
    except DocumentUnavailable as error:
        report.check("metadata document retrievable", False, f"{cid}: {error}")
        return None
    recomputed = content.cid_of(raw)
    report.check("metadata CID recomputes", recomputed == cid, f"CID of the document's bytes: {recomputed}.")
    try:
        document = json.loads(raw)
    except ValueError:
        report.check("metadata document is JSON", False, "The document does not parse as JSON.")
        return None
    report.facts["metadata"] = document
    return document if isinstance(document, dict) else None


def _document_checks(report: Report, doc: dict[str, Any], event: Event) -> None:
    try:
        fields = document_fields(doc)
        leaves = [
            content.contribution_leaf(c["device_id"], c["start"], c["end"], c["energy_wh"])
            for c in sorted(doc["contributions"], key=lambda c: uuid.UUID(c["device_id"]).bytes)
        ]
        total = sum(int(c["energy_wh"]) for c in doc["contributions"])
        derived = _derivations(doc)
    except (KeyError, TypeError, ValueError) as error:
        report.check("metadata document is complete", False, f"A field is missing or malformed: {error}.")
        return
    root = "0x" + content.merkle_root(leaves).hex()
    chain = report.facts["chain"]
    report.check(
        "contributions Merkle root recomputes",
        root == chain["contributions_root"],
        f"Root of the document's {len(leaves)} contribution(s): {root}.",
    )
    report.check(
        "volume adds up",
        total == fields["volume_wh"] == chain["volume_wh"],
        f"Contributions {total} Wh, document {fields['volume_wh']} Wh, chain {chain['volume_wh']} Wh.",
    )
    differ = [name for name, value in fields.items() if value != chain[name]]
    report.check(
        "document agrees with the event",
        not differ,
        "Every field the event carries is the document's."
        if not differ
        else f"The document and the event differ on: {', '.join(differ)}.",
    )
    token = event.args["id"]
    report.check(
        "token id derives from the document",
        token in derived,
        "keccak('drec-certificate' ‖ reservation ‖ window start ‖ country ‖ round) is the token id."
        if token in derived
        else "The document's reservation, window and country do not give this token id.",
    )


def document_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """The fields of a metadata document (any version) that the `CertificateIssued` event also carries."""
    return {
        "token_id": str(int(doc["certificate_key"], 16)),
        "reservation_id": str(uuid.UUID(doc["buyer_reservation_id"])),
        "volume_wh": int(doc["volume_wh"]),
        "period_start": _normal(doc["generation"]["start"]),
        "period_end": _normal(doc["generation"]["end"]),
        "contributions_root": doc["contributions_root"].lower(),
        "issued_to": doc["buyer_address"].lower(),
    }


def _normal(instant: str) -> str:
    return datetime.fromisoformat(instant).astimezone(UTC).replace(microsecond=0).isoformat()


def _derivations(doc: dict[str, Any]) -> set[int]:
    rounds = [int(doc["issuance_round"])] if "issuance_round" in doc else range(LATE_ROUNDS_OF_V1)
    reservation, start, country = doc["buyer_reservation_id"], doc["window"]["start"], doc["country_code"]
    return {content.certificate_key(reservation, start, country, r) for r in rounds}


def _holdings(report: Report, ledger: Ledger, token: int, volume: int) -> None:
    balances = ledger.balances(token)
    claims = [claim_facts(e) for e in ledger.claims.get(token, [])]
    claimed = sum(c["volume_wh"] for c in claims)
    report.facts["holders"] = [{"address": a, "balance_wh": v} for a, v in sorted(balances.items())]
    report.facts["claims"] = claims
    report.facts["chain"]["claimed_wh"] = claimed
    report.facts["transfers"] = [
        {"from": m.source, "to": m.target, "volume_wh": m.value, "tx_hash": m.tx_hash, "block_number": m.block_number}
        for m in ledger.moves.get(token, [])
    ]
    held = sum(balances.values())
    report.check(
        "holdings add up",
        held + claimed == volume and min(balances.values(), default=0) >= 0,
        f"Held {held} Wh + claimed {claimed} Wh, issued {volume} Wh.",
    )


def _irec_document(sources: Sources, report: Report, token: int) -> None:
    """The I-REC document the chain names (`IrecIssued`): retrievable, its CID recomputes, and it is this
    certificate's next version with the event's serials."""
    irec, chain = report.facts["chain"]["irec"], report.facts["chain"]
    name, cid = "I-REC document agrees with the chain", irec["metadata_cid"]
    try:
        raw = sources.document(cid)
    except DocumentUnavailable as error:
        report.check(name, False, f"{cid}: {error}")
        return
    try:
        doc = json.loads(raw)
        found = {
            "CID": content.cid_of(raw),
            "token id": str(int(doc["certificate_key"], 16)),
            "previous version": doc["previous_version_cid"],
            "serial start": doc["irec"]["serial_start"],
            "serial end": doc["irec"]["serial_end"],
        }
    except (KeyError, TypeError, ValueError) as error:
        report.check(name, False, f"The document at {cid} is not an I-REC metadata document: {error}.")
        return
    expected = {
        "CID": cid, "token id": str(token), "previous version": chain["metadata_cid"],
        "serial start": irec["serial_start"], "serial end": irec["serial_end"],
    }  # fmt: skip
    differ = [field for field, value in expected.items() if found[field] != value]
    report.facts["irec_metadata"] = doc
    report.check(
        name,
        not differ,
        f"The document at {cid} is this certificate's next version and names the serials of IrecIssued."
        if not differ
        else f"The document at {cid} and the chain differ on: {', '.join(differ)}.",
    )


def _record_check(report: Report, record: dict[str, Any] | None, doc: dict[str, Any] | None) -> None:
    name = "registry's record agrees"
    if record is None:
        report.check(name, False, "The registry has no record of this token: it was issued outside the platform.")
        return
    chain = report.facts["chain"]
    pairs = {
        "volume": (record["volume_wh"], chain["volume_wh"]),
        "owner": (record["owner_address"].lower(), chain["issued_to"]),
        "period start": (_normal(record["generation_start"]), chain["period_start"]),
        "period end": (_normal(record["generation_end"]), chain["period_end"]),
        "reservation": (record["reservation_id"], chain["reservation_id"]),
        "metadata CID": (record["metadata_cid"], chain["metadata_cid"]),
        "contributions root": (record["contributions_root"], chain["contributions_root"]),
    }
    if doc is not None:
        pairs["contributions"] = (_contributions(record["contributions"]), _contributions(doc.get("contributions", [])))
    differ = [field for field, (ours, theirs) in pairs.items() if ours != theirs]
    report.check(
        name,
        not differ,
        "The registry's record agrees with the chain and the document."
        if not differ
        else f"The registry's record differs on: {', '.join(differ)}.",
    )


def _contributions(items: list[dict[str, Any]]) -> list[tuple[str, str, str, int]]:
    return sorted((c["device_id"], _normal(c["start"]), _normal(c["end"]), int(c["energy_wh"])) for c in items)
