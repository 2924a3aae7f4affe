"""Keccak-256, the hash the EVM uses: certificate keys, contributions Merkle trees, reservation device lists.

safe-pysha3's C implementation directly (the same digest as eth_utils' `keccak`): a window of 10,000 devices
hashes 30,000 times for its Merkle roots, where pycryptodome's per-call overhead cost a fifth of certifying it
(ADR 0107). Features hash with it without going through the chain adapter.
"""

from sha3 import keccak_256


def keccak256(data: bytes) -> bytes:
    return keccak_256(data).digest()
