"""The contributions Merkle root: order-independent pair hashing, every leaf provable."""

import uuid
from datetime import UTC, datetime

from eth_utils import keccak

from dapp.issuance import merkle

START, END = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC)


def leaves(count: int) -> list[bytes]:
    return [merkle.leaf(uuid.UUID(int=i + 1), START, END, 1000 * (i + 1)) for i in range(count)]


def verify(proof: list[bytes], root: bytes, leaf: bytes) -> bool:
    node = leaf
    for sibling in proof:
        node = keccak(min(node, sibling) + max(node, sibling))
    return node == root


def test_root_of_one_leaf_is_the_leaf() -> None:
    [only] = leaves(1)
    assert merkle.root([only]) == only


def test_root_changes_when_any_contribution_changes() -> None:
    base = leaves(5)
    changed = [*base[:2], merkle.leaf(uuid.UUID(int=3), START, END, 3001), *base[3:]]
    assert merkle.root(base) != merkle.root(changed)


def test_a_leaf_is_provable_against_the_root() -> None:
    a, b, c = leaves(3)
    root = merkle.root([a, b, c])
    ab = keccak(min(a, b) + max(a, b))
    assert verify([b, c], root, a)
    assert verify([ab], root, c)
