"""Merkle root of a certificate's contributions (R-ISS-6), verifiable with OpenZeppelin's MerkleProof.

Leaf = keccak256(keccak256(device_uuid(16 bytes) ‖ start(uint64) ‖ end(uint64) ‖ energy_wh(uint256))), pairs
hashed in sorted order; leaves are sorted by device id. An odd node is carried up unchanged.
"""

import uuid
from datetime import datetime

from dapp.keccak import keccak256


def leaf(device_id: uuid.UUID, start: datetime, end: datetime, energy_wh: int) -> bytes:
    packed = (
        device_id.bytes
        + int(start.timestamp()).to_bytes(8, "big")
        + int(end.timestamp()).to_bytes(8, "big")
        + energy_wh.to_bytes(32, "big")
    )
    return keccak256(keccak256(packed))


def root(leaves: list[bytes]) -> bytes:
    if not leaves:
        return bytes(32)
    level = leaves
    while len(level) > 1:
        paired = [_hash_pair(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = paired + ([level[-1]] if len(level) % 2 else [])
    return level[0]


def _hash_pair(left: bytes, right: bytes) -> bytes:
    return keccak256(min(left, right) + max(left, right))
