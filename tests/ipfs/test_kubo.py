"""`KuboContentStore` against a real Kubo node, when one is given: the CIDs it gets back are the local store's.

No Kubo node can be installed on the development machines or CI from the registries they reach (PyPI, npm,
Debian; docs/adr/0057), so these tests run only where `DREC_TEST_KUBO_API_URL` names a node's RPC API (for
example http://127.0.0.1:5001 after `ipfs daemon --offline`). Nothing here imitates Kubo.
"""

import os
from pathlib import Path

import pytest

from dapp.ipfs import KuboContentStore, LocalContentStore, add_json
from dapp.ipfs.cid import CHUNK_SIZE

KUBO_API_URL = os.environ.get("DREC_TEST_KUBO_API_URL")

pytestmark = pytest.mark.skipif(
    not KUBO_API_URL,
    reason="no Kubo node: set DREC_TEST_KUBO_API_URL to its RPC API (none installable here, docs/adr/0057)",
)


@pytest.fixture
def kubo() -> KuboContentStore:
    assert KUBO_API_URL is not None
    return KuboContentStore(KUBO_API_URL)


def test_a_document_added_through_kubo_has_the_local_stores_cid(kubo: KuboContentStore, tmp_path: Path) -> None:
    document = {"certificate": "kubo check", "contributions": [{"device_id": "d1", "energy_wh": 1200}]}
    cid = add_json(kubo, document)
    assert cid == add_json(LocalContentStore(tmp_path), document)
    assert kubo.has(cid)


def test_content_of_several_chunks_has_the_local_stores_cid(kubo: KuboContentStore, tmp_path: Path) -> None:
    """Beyond one 256 KiB chunk Kubo builds a dag-pb tree over raw leaves; the local store must build the same."""
    data = bytes(range(256)) * (3 * CHUNK_SIZE // 256 + 7)
    cid = kubo.add(data)
    assert cid == LocalContentStore(tmp_path).add(data)
    assert cid.startswith("bafybei")
    assert kubo.get(cid) == data
