"""Decode raw `eth_getLogs` entries of our contracts into event rows.

The follower asks the node for logs with a plain JSON-RPC call and decodes them here. Events whose arguments
are all one-word values (uintN, intN, address, bool, bytesN), strings, bytes or arrays of one-word values —
every event of our contracts — are decoded by slicing 32-byte words; anything else goes through eth_abi.
web3's own path (result formatters, then `process_log`) did the same work about twenty times slower, which
mattered for R-NF-5; tests/indexer/test_decoding.py checks that both give the same arguments.

Arguments come out as JSON: integers as decimal strings (a uint256 does not fit a JSON number), bytes as 0x
hex, addresses in checksum form. Invalid UTF-8 in a string is replaced rather than stopping the indexer.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eth_abi.abi import decode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

Json = Any
WORD = 32


@dataclass(frozen=True)
class EventType:
    """One event of one deployed contract, as its ABI describes it."""

    contract: str
    name: str
    indexed: tuple[tuple[str, str], ...]  # (name, canonical type) of each indexed argument
    data: tuple[dict[str, Any], ...]  # ABI items of the other arguments
    data_types: tuple[str, ...]
    is_sliceable: bool  # every data type is one `_slice_data` decodes


@dataclass(frozen=True)
class DecodedEvent:
    """A log of one of our contracts, decoded; the columns of `chain_event` plus the block's time if known."""

    contract: str
    event: str
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int
    args: dict[str, Json]
    block_timestamp: int | None


class Decoder:
    """Knows every event of the contracts it was built with, by (address, topic 0)."""

    def __init__(self, contracts: dict[str, tuple[str, Sequence[Any]]]) -> None:
        """`contracts`: name → (address, ABI)."""
        self.addresses = [address for address, _ in contracts.values()]
        self._types = {
            (address.lower(), topic(item)): _event_type(name, item)
            for name, (address, abi) in contracts.items()
            for item in abi
            if item["type"] == "event" and not item.get("anonymous")
        }

    def decode(self, raw: dict[str, Any]) -> DecodedEvent | None:
        """The decoded event of a raw JSON-RPC log, or None if it is not one of our contracts' events."""
        topics = raw["topics"]
        event_type = self._types.get((raw["address"].lower(), topics[0].lower())) if topics else None
        if event_type is None:
            return None
        args = _decode_topics(event_type.indexed, topics[1:])
        args.update(_decode_data(event_type, bytes.fromhex(raw["data"][2:])))
        timestamp = raw.get("blockTimestamp")
        return DecodedEvent(
            contract=event_type.contract,
            event=event_type.name,
            block_number=int(raw["blockNumber"], 16),
            block_hash=raw["blockHash"].lower(),
            tx_hash=raw["transactionHash"].lower(),
            log_index=int(raw["logIndex"], 16),
            args=args,
            block_timestamp=int(timestamp, 16) if timestamp else None,
        )


def topic(item: dict[str, Any]) -> str:
    """Topic 0 of an event: keccak256 of its canonical signature, as 0x hex."""
    signature = f"{item['name']}({','.join(abi_type(i) for i in item['inputs'])})"
    return "0x" + keccak(text=signature).hex()


def abi_type(item: dict[str, Any]) -> str:
    """The canonical type of an ABI input (tuples spelled out from their components)."""
    type_: str = item["type"]
    if type_.startswith("tuple"):
        return "(" + ",".join(abi_type(c) for c in item["components"]) + ")" + type_[5:]
    return type_


def _event_type(contract: str, item: dict[str, Any]) -> EventType:
    data = tuple(i for i in item["inputs"] if not i["indexed"])
    data_types = tuple(abi_type(i) for i in data)
    return EventType(
        contract=contract,
        name=item["name"],
        indexed=tuple((i["name"], abi_type(i)) for i in item["inputs"] if i["indexed"]),
        data=data,
        data_types=data_types,
        is_sliceable=all(_is_word(t) or t in ("string", "bytes") or _is_word_array(t) for t in data_types),
    )


def _decode_topics(indexed: tuple[tuple[str, str], ...], topics: list[str]) -> dict[str, Json]:
    """Indexed arguments. A value that is not one word (string, bytes, array, tuple) is only its keccak hash."""
    return {
        name: _word(type_, bytes.fromhex(word[2:])) if _is_word(type_) else word.lower()
        for (name, type_), word in zip(indexed, topics, strict=True)
    }


def _decode_data(event_type: EventType, data: bytes) -> dict[str, Json]:
    names = [item["name"] for item in event_type.data]
    if event_type.is_sliceable:
        return dict(zip(names, _slice_data(event_type.data_types, data), strict=True))
    values = decode(list(event_type.data_types), data)
    return {item["name"]: _jsonable(item, value) for item, value in zip(event_type.data, values, strict=True)}


def _slice_data(types: Sequence[str], data: bytes) -> list[Json]:
    """ABI-decode one-word values, strings, bytes and arrays of one-word values, straight into JSON."""
    values: list[Json] = []
    for position, type_ in enumerate(types):
        head = data[position * WORD : (position + 1) * WORD]
        if _is_word(type_):
            values.append(_word(type_, head))
            continue
        offset = int.from_bytes(head, "big")
        length = int.from_bytes(data[offset : offset + WORD], "big")
        start = offset + WORD
        if type_ == "string":
            values.append(data[start : start + length].decode("utf-8", errors="replace"))
        elif type_ == "bytes":
            values.append("0x" + data[start : start + length].hex())
        else:
            element = type_[:-2]
            values.append([_word(element, data[start + i * WORD : start + (i + 1) * WORD]) for i in range(length)])
    return values


def _word(type_: str, word: bytes) -> Json:
    """A one-word ABI value as JSON."""
    if type_.startswith("uint"):
        return str(int.from_bytes(word, "big"))
    if type_.startswith("int"):
        return str(int.from_bytes(word, "big", signed=True))
    if type_ == "address":
        return _checksum("0x" + word[12:].hex())
    if type_ == "bool":
        return word != bytes(WORD)
    return "0x" + word[: int(type_[5:])].hex()  # bytesN


def _is_word(type_: str) -> bool:
    if type_ in ("address", "bool"):
        return True
    if type_.startswith(("uint", "int")):
        return type_.removeprefix("u").removeprefix("int").isdigit()
    return type_.startswith("bytes") and type_[5:].isdigit()


def _is_word_array(type_: str) -> bool:
    return type_.endswith("[]") and _is_word(type_[:-2])


def _jsonable(item: dict[str, Any], value: Any) -> Json:
    """An eth_abi value as JSON, guided by its ABI type (so that addresses get their checksum form)."""
    type_ = item["type"]
    if type_.endswith("]"):
        element = {**item, "type": type_[: type_.rindex("[")]}
        return [_jsonable(element, v) for v in value]
    if type_ == "tuple":
        return {c["name"]: _jsonable(c, v) for c, v in zip(item["components"], value, strict=True)}
    if type_ == "address":
        return _checksum(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return str(value)
    return value


@lru_cache(maxsize=4096)
def _checksum(address: str) -> str:
    return str(to_checksum_address(address))
