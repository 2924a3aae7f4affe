"""Content addressing and commitments recomputed from first principles: the CIDv1 of a document's bytes (as
`ipfs add --cid-version=1` builds it with Kubo's defaults), keccak-256, the contributions Merkle root and the
certificate key a token id is.

CID scheme: 256 KiB chunks as raw leaves (codec 0x55); more than one chunk makes a balanced tree of UnixFS file
nodes in dag-pb (codec 0x70), at most 174 links each; sha2-256; text form is multibase base32 ('b', lower case).
"""

import base64
import hashlib
import uuid
from datetime import datetime

from eth_hash.auto import keccak as _keccak

CHUNK = 256 * 1024
FANOUT = 174
RAW, DAG_PB = 0x55, 0x70


def keccak(data: bytes) -> bytes:
    return _keccak(data)


def _uvarint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _cid(codec: int, block: bytes) -> bytes:
    return bytes([1]) + _uvarint(codec) + bytes([0x12, 32]) + hashlib.sha256(block).digest()


def _field(number: int, wire: int) -> bytes:
    return _uvarint(number << 3 | wire)


def _node(children: list[tuple[bytes, int, int]]) -> tuple[bytes, int, int]:
    """(cid, tsize, filesize) of a UnixFS file node over children given as (cid, tsize, filesize)."""
    data = _field(1, 0) + _uvarint(2) + _field(3, 0) + _uvarint(sum(c[2] for c in children))
    data += b"".join(_field(4, 0) + _uvarint(c[2]) for c in children)
    links = b""
    for cid, tsize, _size in children:
        link = _field(1, 2) + _uvarint(len(cid)) + cid + _field(2, 2) + b"\x00" + _field(3, 0) + _uvarint(tsize)
        links += _field(2, 2) + _uvarint(len(link)) + link
    block = links + _field(1, 2) + _uvarint(len(data)) + data
    return _cid(DAG_PB, block), len(block) + sum(c[1] for c in children), sum(c[2] for c in children)


def _tree(leaves: list[tuple[bytes, int, int]], depth: int) -> tuple[bytes, int, int]:
    if depth == 0:
        return leaves[0]
    span = FANOUT ** (depth - 1)
    return _node([_tree(leaves[i : i + span], depth - 1) for i in range(0, len(leaves), span)])


def cid_of(data: bytes) -> str:
    """The text CIDv1 of `data`."""
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)] or [b""]
    leaves = [(_cid(RAW, chunk), len(chunk), len(chunk)) for chunk in chunks]
    depth, room = 0, 1
    while room < len(leaves):
        depth, room = depth + 1, room * FANOUT
    binary = _tree(leaves, depth)[0]
    return "b" + base64.b32encode(binary).decode().lower().rstrip("=")


def cid_text(binary: bytes) -> str:
    return "b" + base64.b32encode(binary).decode().lower().rstrip("=")


def is_cid(text: str) -> bool:
    """Whether `text` looks like a base32 CIDv1 with a sha2-256 digest (what the registry's gateway serves)."""
    if not text.startswith("b") or not text[1:].isascii() or not text[1:].isalnum() or len(text) > 200:
        return False
    body = text[1:].upper()
    try:
        binary = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError:
        return False
    return len(binary) == 36 and binary[0] == 1 and binary[1] in (RAW, DAG_PB) and binary[2:4] == b"\x12\x20"


def contribution_leaf(device_id: str, start: str, end: str, energy_wh: int) -> bytes:
    packed = (
        uuid.UUID(device_id).bytes
        + _seconds(start).to_bytes(8, "big")
        + _seconds(end).to_bytes(8, "big")
        + int(energy_wh).to_bytes(32, "big")
    )
    return keccak(keccak(packed))


def merkle_root(leaves: list[bytes]) -> bytes:
    """Pairs hashed in sorted order, an odd node carried up unchanged; no leaves: 32 zero bytes."""
    if not leaves:
        return bytes(32)
    level = leaves
    while len(level) > 1:
        pairs = [keccak(min(a, b) + max(a, b)) for a, b in zip(level[0::2], level[1::2], strict=False)]
        level = pairs + ([level[-1]] if len(level) % 2 else [])
    return level[0]


def certificate_key(reservation_id: str, window_start: str, country: str, issuance_round: int) -> int:
    """The token id of a certificate: keccak('drec-certificate' ‖ reservation ‖ window start ‖ country ‖ round)."""
    late = issuance_round.to_bytes(2, "big") if issuance_round else b""
    packed = b"drec-certificate" + uuid.UUID(reservation_id).bytes + _seconds(window_start).to_bytes(8, "big")
    return int.from_bytes(keccak(packed + country.encode() + late), "big")


def _seconds(instant: str) -> int:
    return int(datetime.fromisoformat(instant).timestamp())
