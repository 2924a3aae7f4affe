"""Keccak-256, the hash the EVM uses: certificate keys, contributions Merkle trees, reservation device lists.

pycryptodome directly (the same digest as eth_utils' `keccak`): it runs for every contribution of a window, and
features hash with it without going through the chain adapter.
"""

from Crypto.Hash import keccak as keccak_hash


def keccak256(data: bytes) -> bytes:
    return keccak_hash.new(digest_bits=256, data=data).digest()
