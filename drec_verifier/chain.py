"""The chain through plain JSON-RPC: logs of the two contracts decoded by their event signatures, and the few
view calls a verification needs. Nothing here trusts the registry: addresses and the first block come from the
auditor (or from the registry's public discovery document, which the chain then either confirms or refutes)."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests
from eth_abi import decode, encode

from drec_verifier.content import keccak

LOG_SPAN = 50_000  # blocks per eth_getLogs request

# name: (signature, indexed types, data types, argument names in order: indexed then data)
EVENTS: dict[str, tuple[str, list[str], list[str], list[str]]] = {
    "CertificateIssued": (
        "CertificateIssued(uint256,address,bytes16,uint256,uint64,uint64,bytes32,bytes4,bytes32)",
        ["uint256", "address", "bytes16"],
        ["uint256", "uint64", "uint64", "bytes32", "bytes4", "bytes32"],
        ["id", "to", "reservationId", "volumeWh", "periodStart", "periodEnd", "contributionsRoot", "cidPrefix",
         "cidDigest"],
    ),
    "BatchCommitted": ("BatchCommitted(bytes32,uint256)", ["bytes32"], ["uint256"], ["commitment", "count"]),
    "TransferSingle": (
        "TransferSingle(address,address,address,uint256,uint256)",
        ["address", "address", "address"], ["uint256", "uint256"], ["operator", "from", "to", "id", "value"],
    ),
    "TransferBatch": (
        "TransferBatch(address,address,address,uint256[],uint256[])",
        ["address", "address", "address"], ["uint256[]", "uint256[]"], ["operator", "from", "to", "ids", "values"],
    ),
    "ClaimSingle": (
        "ClaimSingle(address,address,uint256,uint256,uint256,bytes)",
        ["address", "address", "uint256"], ["uint256", "uint256", "bytes"],
        ["issuer", "subject", "topic", "id", "value", "claimData"],
    ),
    "CertificateRevoked": ("CertificateRevoked(uint256,string)", ["uint256"], ["string"], ["id", "reason"]),
    "ProvisionalIssued": ("ProvisionalIssued(uint256,address)", ["uint256", "address"], [], ["id", "beneficiary"]),
    "IrecIssued": (
        "IrecIssued(uint256,address,string,string,bytes4,bytes32)", ["uint256", "address"],
        ["string", "string", "bytes4", "bytes32"],
        ["id", "beneficiary", "serialStart", "serialEnd", "cidPrefix", "cidDigest"],
    ),
    "ProvisionalReleased": (
        "ProvisionalReleased(uint256,address,uint256,uint256)", ["uint256", "address"], ["uint256", "uint256"],
        ["id", "beneficiary", "volumeWh", "provisionalWh"],
    ),
    "ReservationCreated": (
        "ReservationCreated(bytes16,address,uint64,uint64,string,uint256,bool,bytes32,string)",
        ["bytes16", "address"], ["uint64", "uint64", "string", "uint256", "bool", "bytes32", "string"],
        ["reservationId", "buyer", "periodStart", "periodEnd", "frequency", "targetWh", "authorityToExceed",
         "devicesHash", "devicesCid"],
    ),
    "ReservationDevicesChanged": (
        "ReservationDevicesChanged(bytes16,bytes32,string)", ["bytes16"], ["bytes32", "string"],
        ["reservationId", "devicesHash", "devicesCid"],
    ),
    "ReservationEnded": ("ReservationEnded(bytes16,uint64)", ["bytes16"], ["uint64"], ["reservationId", "endedAt"]),
}  # fmt: skip
TOPICS = {name: "0x" + keccak(spec[0].encode()).hex() for name, spec in EVENTS.items()}
BY_TOPIC = {topic: name for name, topic in TOPICS.items()}
CERTIFICATE_DATA = "(bytes32,address,uint256,uint64,uint64,bytes16,bytes32,bytes4,bytes32)"


class ChainError(Exception):
    """The node refused a request or could not be reached."""


@dataclass(frozen=True)
class Event:
    name: str
    args: dict[str, Any]
    tx_hash: str
    block_number: int
    log_index: int


@dataclass
class Rpc:
    url: str
    session: requests.Session

    @classmethod
    def connect(cls, url: str) -> "Rpc":
        return cls(url, requests.Session())

    def call(self, method: str, *params: Any) -> Any:
        try:
            answer = self.session.post(
                self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=60
            ).json()
        except (requests.RequestException, ValueError) as error:
            raise ChainError(f"{method}: {error}") from error
        if "error" in answer:
            raise ChainError(f"{method}: {answer['error']}")
        return answer["result"]

    def head(self) -> int:
        return int(self.call("eth_blockNumber"), 16)

    def chain_id(self) -> int:
        return int(self.call("eth_chainId"), 16)

    def raw_logs(self, address: str, topics: list[Any], first: int, last: int) -> Iterator[dict[str, Any]]:
        for start in range(first, last + 1, LOG_SPAN):
            end = min(start + LOG_SPAN - 1, last)
            query = {"address": address, "topics": topics, "fromBlock": hex(start), "toBlock": hex(end)}
            yield from self.call("eth_getLogs", query)

    def events(self, address: str, topics: list[Any], first: int, last: int | None = None) -> list[Event]:
        """Decoded events of the contract at `address` matching `topics`, in chain order."""
        last = self.head() if last is None else last
        return [decoded for log in self.raw_logs(address, topics, first, last) if (decoded := decode_log(log))]

    def view(self, address: str, signature: str, types: list[str], values: list[Any], returns: str) -> Any:
        data = "0x" + keccak(signature.encode())[:4].hex() + encode(types, values).hex()
        result = self.call("eth_call", {"to": address, "data": data}, "latest")
        return decode([returns], bytes.fromhex(result[2:]))[0]


def decode_log(log: dict[str, Any]) -> Event | None:
    name = BY_TOPIC.get(log["topics"][0]) if log["topics"] else None
    if name is None:
        return None
    _signature, indexed, data_types, names = EVENTS[name]
    values = [
        decode([kind], bytes.fromhex(topic[2:]))[0] for kind, topic in zip(indexed, log["topics"][1:], strict=True)
    ]
    values += list(decode(data_types, bytes.fromhex(log["data"][2:])))
    return Event(name, dict(zip(names, values, strict=True)), log["transactionHash"], int(log["blockNumber"], 16),
                 int(log["logIndex"], 16))  # fmt: skip


def topic_uint(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


def topic_bytes16(value: bytes) -> str:
    return "0x" + value.ljust(32, b"\0").hex()
