"""CIDv1 computation identical to Kubo's `ipfs add --cid-version=1` with default import settings.

Those settings are: fixed-size chunks of 256 KiB, raw leaves (codec `raw`, 0x55), a balanced DAG with at
most 174 links per node, UnixFS file nodes in dag-pb (0x70), sha2-256 and base32 (multibase prefix `b`).

Content of at most one chunk is a single raw block, so its CID is simply the raw CID of the bytes
(`bafkrei…`). Larger content becomes a tree of dag-pb nodes over raw leaves (`bafybei…`), built the way
boxo's balanced layout builds it: the tree has the smallest depth that fits all leaves and every node is
filled left to right, each child of a node at depth `d` holding up to `max_links ** (d - 1)` leaves.

Specs: CID and multihash (multiformats), dag-pb (ipld/specs `block-layer/codecs/dag-pb.md`), UnixFS
(ipfs/specs `unixfs-data-format.md`).
"""

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

CID_VERSION = 1
RAW_CODEC = 0x55
DAG_PB_CODEC = 0x70
SHA2_256 = 0x12
SHA2_256_LENGTH = 32
CHUNK_SIZE = 256 * 1024
MAX_LINKS = 174
UNIXFS_FILE = 2  # UnixFS Data.DataType.File

_VARINT = 0  # protobuf wire type of integers
_LENGTH_DELIMITED = 2  # protobuf wire type of bytes, strings and embedded messages
_BASE32_CID = re.compile(r"b[a-z2-7]+")


class InvalidCID(ValueError):
    """A string is not a CIDv1 in base32 with a sha2-256 multihash and a raw or dag-pb codec."""


@dataclass(frozen=True)
class Block:
    """One IPFS block: its CID (base32 text) and its bytes."""

    cid: str
    data: bytes


@dataclass(frozen=True)
class _Ref:
    """A finished (sub-)DAG as its parent sees it."""

    cid: bytes  # binary CID of the sub-DAG's root block
    tsize: int  # bytes of all blocks of the sub-DAG (dag-pb PBLink.Tsize)
    filesize: int  # bytes of file content below it (UnixFS blocksizes entry)


BlockSink = Callable[[Block], None]


def varint(value: int) -> bytes:
    """Unsigned LEB128, the varint of both protobuf and multiformats."""
    if value < 0:
        raise ValueError("varints are unsigned")
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """Decode the varint starting at `pos`; returns (value, position after it)."""
    value = shift = 0
    while pos < len(buf):
        byte = buf[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise InvalidCID("truncated varint")


def _pb_int(field: int, value: int) -> bytes:
    """A protobuf integer field: key (field number, wire type 0), then the varint value."""
    return varint(field << 3 | _VARINT) + varint(value)


def _pb_bytes(field: int, payload: bytes) -> bytes:
    """A protobuf length-delimited field: key (field number, wire type 2), length, payload."""
    return varint(field << 3 | _LENGTH_DELIMITED) + varint(len(payload)) + payload


def binary_cid(codec: int, block: bytes) -> bytes:
    """CIDv1 bytes of a block: version, codec, then the sha2-256 multihash (code, length, digest)."""
    return _binary(codec, hashlib.sha256(block).digest())


def _binary(codec: int, digest: bytes) -> bytes:
    return varint(CID_VERSION) + varint(codec) + varint(SHA2_256) + varint(SHA2_256_LENGTH) + digest


def cid_to_text(cid: bytes) -> str:
    """Multibase base32 (RFC 4648 alphabet, lower case, no padding) with its prefix `b`."""
    return "b" + base64.b32encode(cid).decode("ascii").rstrip("=").lower()


def parse_cid(cid: str) -> tuple[int, bytes]:
    """Check a CID produced by this module's scheme; returns (codec, sha2-256 digest) or raises InvalidCID."""
    if not isinstance(cid, str) or not _BASE32_CID.fullmatch(cid):
        raise InvalidCID(f"not a base32 CIDv1: {cid!r}")
    body = cid[1:].upper()
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except binascii.Error:  # a length no encoder produces
        raise InvalidCID(f"not a base32 CIDv1: {cid!r}") from None
    version, pos = _read_varint(raw, 0)
    codec, pos = _read_varint(raw, pos)
    hash_code, pos = _read_varint(raw, pos)
    length, pos = _read_varint(raw, pos)
    digest = raw[pos:]
    valid = (
        version == CID_VERSION
        and codec in (RAW_CODEC, DAG_PB_CODEC)
        and hash_code == SHA2_256
        and length == SHA2_256_LENGTH == len(digest)
        and cid_to_text(raw) == cid  # rejects non-canonical spellings
    )
    if not valid:
        raise InvalidCID(f"unsupported or malformed CID: {cid!r}")
    return codec, digest


def cid_to_binary(cid: str) -> bytes:
    """The binary form of a text CID of this module's scheme (raises InvalidCID for any other)."""
    return _binary(*parse_cid(cid))


def unixfs_file_data(blocksizes: list[int]) -> bytes:
    """UnixFS `Data` message of an internal file node (unixfs.proto; proto2, so `blocksizes` is unpacked).

    Fields: Type = 1 (File), Data = 2 (absent: the content lives in the leaves), filesize = 3, blocksizes = 4.
    """
    fields = [_pb_int(1, UNIXFS_FILE), _pb_int(3, sum(blocksizes))]
    fields += [_pb_int(4, size) for size in blocksizes]
    return b"".join(fields)


def dag_pb_link(child: bytes, tsize: int) -> bytes:
    """dag-pb PBLink: Hash = 1 (binary CID), Name = 2 (always written, empty for file chunks), Tsize = 3."""
    return _pb_bytes(1, child) + _pb_bytes(2, b"") + _pb_int(3, tsize)


def dag_pb_node(links: list[bytes], data: bytes) -> bytes:
    """dag-pb PBNode in canonical order: every Links (field 2) entry first, then Data (field 1)."""
    return b"".join(_pb_bytes(2, link) for link in links) + _pb_bytes(1, data)


def _leaf(chunk: bytes, sink: BlockSink | None) -> _Ref:
    """A raw leaf block holding one chunk of content."""
    cid = binary_cid(RAW_CODEC, chunk)
    if sink is not None:
        sink(Block(cid_to_text(cid), chunk))
    return _Ref(cid, len(chunk), len(chunk))


def _parent(children: list[_Ref], sink: BlockSink | None) -> _Ref:
    """A dag-pb UnixFS file node linking `children` in order."""
    data = unixfs_file_data([child.filesize for child in children])
    block = dag_pb_node([dag_pb_link(child.cid, child.tsize) for child in children], data)
    cid = binary_cid(DAG_PB_CODEC, block)
    if sink is not None:
        sink(Block(cid_to_text(cid), block))
    tsize = len(block) + sum(child.tsize for child in children)
    return _Ref(cid, tsize, sum(child.filesize for child in children))


def _depth(leaf_count: int, max_links: int) -> int:
    """Smallest depth whose balanced tree holds `leaf_count` leaves (0: the single leaf is the root)."""
    depth, capacity = 0, 1
    while capacity < leaf_count:
        depth, capacity = depth + 1, capacity * max_links
    return depth


def _balanced(leaves: list[_Ref], depth: int, max_links: int, sink: BlockSink | None) -> _Ref:
    """Root of a left-filled balanced tree of `depth` over `leaves`."""
    if depth == 0:
        return leaves[0]
    span = max_links ** (depth - 1)  # leaves under each child
    children = [
        _balanced(leaves[start : start + span], depth - 1, max_links, sink) for start in range(0, len(leaves), span)
    ]
    return _parent(children, sink)


def build_file_dag(
    data: bytes,
    *,
    chunk_size: int = CHUNK_SIZE,
    max_links: int = MAX_LINKS,
    sink: BlockSink | None = None,
) -> str:
    """Import `data` as a UnixFS file; hands every block to `sink` (leaves first) and returns the root CID."""
    if chunk_size < 1 or max_links < 2:
        raise ValueError("chunk_size must be >= 1 and max_links >= 2")
    view = memoryview(data)
    starts = range(0, len(data), chunk_size)
    leaves = [_leaf(bytes(view[start : start + chunk_size]), sink) for start in starts]
    leaves = leaves or [_leaf(b"", sink)]  # empty content is one empty raw block, as in boxo
    root = _balanced(leaves, _depth(len(leaves), max_links), max_links, sink)
    return cid_to_text(root.cid)


def cid_for_bytes(data: bytes, *, chunk_size: int = CHUNK_SIZE, max_links: int = MAX_LINKS) -> str:
    """The CID `ipfs add --cid-version=1` (Kubo defaults) gives `data`; the keywords exist for tests only."""
    return build_file_dag(data, chunk_size=chunk_size, max_links=max_links)
