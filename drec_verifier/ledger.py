"""What the certificate contract's events say, gathered once: issuances, batches, transfers, claims and
revocations by token id. A single verification fills it from targeted queries, a whole-registry scan from one
pass over every log."""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from drec_verifier.chain import TOPICS, Event, Rpc, decode_log, topic_uint
from drec_verifier.content import cid_text
from drec_verifier.sources import Sources

ZERO = "0x" + "0" * 40
CERTIFICATE_EVENTS = ("CertificateIssued", "BatchCommitted", "TransferSingle", "TransferBatch", "ClaimSingle",
                      "CertificateRevoked", "ProvisionalIssued", "IrecIssued", "ProvisionalReleased")  # fmt: skip
BY_TOKEN = ("CertificateRevoked", "ProvisionalIssued", "IrecIssued", "ProvisionalReleased")  # first topic: token id


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    value: int
    tx_hash: str
    block_number: int


@dataclass
class Ledger:
    issued: dict[int, Event] = field(default_factory=dict)
    by_tx: dict[str, list[Event]] = field(default_factory=lambda: defaultdict(list))
    moves: dict[int, list[Move]] = field(default_factory=lambda: defaultdict(list))
    claims: dict[int, list[Event]] = field(default_factory=lambda: defaultdict(list))
    revoked: dict[int, str] = field(default_factory=dict)
    provisional_for: dict[int, str] = field(default_factory=dict)  # I-REC: minted to the provisional account
    irec_issued: dict[int, Event] = field(default_factory=dict)  # I-REC: serials written, tokens to the buyer
    released: dict[int, Event] = field(default_factory=dict)  # I-REC: (part of it) released as plain D-REC

    def add(self, event: Event) -> None:
        """Take one event of the certificate contract into account (events arrive in chain order)."""
        args = event.args
        if event.name in ("CertificateIssued", "BatchCommitted"):
            self.by_tx[event.tx_hash].append(event)
            if event.name == "CertificateIssued":
                self.issued.setdefault(args["id"], event)
        elif event.name == "TransferSingle":
            self._move(args["from"], args["to"], args["id"], args["value"], event)
        elif event.name == "TransferBatch":
            for token, value in zip(args["ids"], args["values"], strict=True):
                self._move(args["from"], args["to"], token, value, event)
        elif event.name == "ClaimSingle":
            self.claims[args["id"]].append(event)
        elif event.name == "CertificateRevoked":
            self.revoked[args["id"]] = args["reason"]
        else:
            self._irec_event(event)

    def _irec_event(self, event: Event) -> None:
        if event.name == "ProvisionalIssued":
            self.provisional_for[event.args["id"]] = event.args["beneficiary"].lower()
        elif event.name == "IrecIssued":
            self.irec_issued[event.args["id"]] = event
        elif event.name == "ProvisionalReleased":
            self.released[event.args["id"]] = event

    def irec(self, token: int) -> dict[str, Any] | None:
        """The I-REC state the chain records for `token`: None for a D-REC, else provisional (held for its buyer
        until the registry issues), issued (with the registry's serial range and the CID of the document naming
        it) or released (all of it went to the buyer as plain D-REC); `released_wh` when some of it was."""
        issued, released = self.irec_issued.get(token), self.released.get(token)
        extra = {"released_wh": released.args["volumeWh"], "release_tx_hash": released.tx_hash} if released else {}
        if issued is not None:
            return {
                "state": "issued",
                "beneficiary": issued.args["beneficiary"].lower(),
                "serial_start": issued.args["serialStart"],
                "serial_end": issued.args["serialEnd"],
                "metadata_cid": cid_text(issued.args["cidPrefix"] + issued.args["cidDigest"]),
                "tx_hash": issued.tx_hash,
            } | extra
        if released is not None and released.args["provisionalWh"] == 0:
            return {"state": "released", "beneficiary": released.args["beneficiary"].lower()} | extra
        if token in self.provisional_for:
            return {"state": "provisional", "beneficiary": self.provisional_for[token]} | extra
        return None

    def _move(self, source: str, target: str, token: int, value: int, event: Event) -> None:
        self.moves[token].append(Move(source.lower(), target.lower(), value, event.tx_hash, event.block_number))

    def balances(self, token: int) -> dict[str, int]:
        """Every holder's balance of `token` by its transfer events (mints from zero, claims burn to zero)."""
        held: dict[str, int] = defaultdict(int)
        for move in self.moves.get(token, []):
            if move.source != ZERO:
                held[move.source] -= move.value
            if move.target != ZERO:
                held[move.target] += move.value
        return {holder: value for holder, value in held.items() if value}

    def batch_of(self, token: int) -> list[Event]:
        """The `CertificateIssued` events of the batch holding `token`, as its transaction published them; empty
        when no `BatchCommitted` closes it with the right count."""
        events = self.by_tx.get(self.issued[token].tx_hash, [])
        batch: list[Event] = []
        found = False
        for event in events:
            if event.name == "BatchCommitted":
                if found:
                    return batch if len(batch) == event.args["count"] else []
                batch = []
            else:
                batch.append(event)
                found = found or event.args["id"] == token
        return []


def for_tokens(sources: Sources, tokens: list[int], issued: list[Event] | None = None) -> Ledger:
    """The ledger of some tokens: their issuance (with each transaction's batch), revocations, transfers and
    claims. `issued`: their `CertificateIssued` events when the caller already has them."""
    rpc, address, first = sources.rpc, sources.certificates, sources.first_block
    ledger = Ledger()
    if issued is None:
        issued = rpc.events(address, [TOPICS["CertificateIssued"], [topic_uint(t) for t in tokens]], first)
    if not issued:
        return ledger
    for tx_hash in dict.fromkeys(e.tx_hash for e in issued):
        for event in _receipt_events(rpc, address, tx_hash):
            if event.name in ("CertificateIssued", "BatchCommitted"):
                ledger.add(event)
    moves = [TOPICS[name] for name in ("TransferSingle", "TransferBatch", "ClaimSingle")]
    for event in rpc.events(address, [moves], first):
        ledger.add(event)
    by_token = [TOPICS[name] for name in BY_TOKEN]
    for event in rpc.events(address, [by_token, [topic_uint(t) for t in tokens]], first):
        ledger.add(event)
    return ledger


def everything(sources: Sources, last: int) -> Ledger:
    ledger = Ledger()
    topics = [[TOPICS[name] for name in CERTIFICATE_EVENTS]]
    for event in sources.rpc.events(sources.certificates, topics, sources.first_block, last):
        ledger.add(event)
    return ledger


def _receipt_events(rpc: Rpc, address: str, tx_hash: str) -> list[Event]:
    receipt = rpc.call("eth_getTransactionReceipt", tx_hash)
    return [e for log in receipt["logs"] if log["address"].lower() == address.lower() and (e := decode_log(log))]


def claim_facts(event: Event) -> dict[str, Any]:
    """A claim as the chain records it; its claim data is the registry's JSON (beneficiary, purpose, …)."""
    try:
        data = json.loads(event.args["claimData"])
    except ValueError:
        data = {"raw": event.args["claimData"].hex()}
    return {
        "holder": event.args["subject"].lower(),
        "volume_wh": event.args["value"],
        "beneficiary": data.get("beneficiary") if isinstance(data, dict) else None,
        "purpose": data.get("purpose") if isinstance(data, dict) else None,
        "data": data,
        "tx_hash": event.tx_hash,
        "block_number": event.block_number,
    }
