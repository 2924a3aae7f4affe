"""The on-disk content store, canonical JSON documents and the store factory.

`KuboContentStore` is exercised against a real node in test_kubo.py, when one is available.
"""

from pathlib import Path

import pytest

from dapp.ipfs import (
    ContentCorrupted,
    ContentNotFound,
    ContentStore,
    InvalidCID,
    KuboContentStore,
    LocalContentStore,
    add_json,
    canonical_json,
    cid_for_bytes,
    content_store_from_settings,
    get_json,
)

HELLO_CID = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"  # see test_cid.py


@pytest.fixture
def store(tmp_path: Path) -> LocalContentStore:
    return LocalContentStore(tmp_path / "ipfs")


def _files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_add_returns_the_ipfs_cid_and_get_returns_the_bytes(store: LocalContentStore) -> None:
    assert store.add(b"hello world") == HELLO_CID
    assert store.get(HELLO_CID) == b"hello world"


def test_multi_chunk_content_round_trips(store: LocalContentStore) -> None:
    content = bytes(range(256)) * 1500  # 384000 bytes: two chunks
    cid = store.add(content)
    assert cid == cid_for_bytes(content)
    assert cid.startswith("bafybei")
    assert store.get(cid) == content


def test_add_is_idempotent(store: LocalContentStore) -> None:
    first = store.add(b"device list")
    stored = _files(store.root)
    mtime = stored[0].stat().st_mtime_ns
    assert store.add(b"device list") == first
    assert _files(store.root) == stored  # one file, no temporary leftovers
    assert stored[0].stat().st_mtime_ns == mtime  # not rewritten


def test_has(store: LocalContentStore) -> None:
    assert not store.has(HELLO_CID)
    store.add(b"hello world")
    assert store.has(HELLO_CID)


def test_unknown_cid_is_not_found(store: LocalContentStore) -> None:
    never_stored = cid_for_bytes(b"never stored")
    with pytest.raises(ContentNotFound):
        store.get(never_stored)


def test_corrupted_content_is_detected_and_a_new_add_repairs_it(store: LocalContentStore) -> None:
    cid = store.add(b"certificate metadata")
    store.path_for(cid).write_bytes(b"certificate metadatA")
    with pytest.raises(ContentCorrupted):
        store.get(cid)
    assert store.add(b"certificate metadata") == cid
    assert store.get(cid) == b"certificate metadata"


@pytest.mark.parametrize("bad", ["../../etc/passwd", "QmepeWtdmS1hHXx1oZXsPUv6bMrfRRKfZcoPPU4eEfjnbf", ""])
def test_malformed_cids_are_refused_before_touching_the_disk(store: LocalContentStore, bad: str) -> None:
    for operation in (store.get, store.has):
        with pytest.raises(InvalidCID):
            operation(bad)


def test_json_documents_are_stored_canonically(store: LocalContentStore) -> None:
    cid = add_json(store, {"b": [1, 2], "a": "Ångström", "c": {"y": None, "x": True}})
    assert store.get(cid) == '{"a":"Ångström","b":[1,2],"c":{"x":true,"y":null}}'.encode()
    assert add_json(store, {"c": {"x": True, "y": None}, "a": "Ångström", "b": [1, 2]}) == cid
    assert get_json(store, cid) == {"a": "Ångström", "b": [1, 2], "c": {"x": True, "y": None}}


def test_canonical_json_refuses_nan() -> None:
    with pytest.raises(ValueError, match="JSON"):
        canonical_json({"kwh": float("nan")})


def test_factory_picks_kubo_when_an_api_url_is_configured(tmp_path: Path) -> None:
    local = content_store_from_settings(None, tmp_path)
    assert isinstance(local, LocalContentStore)
    assert local.root == tmp_path
    kubo = content_store_from_settings("http://127.0.0.1:5001/", tmp_path, timeout=5.0)
    assert isinstance(kubo, KuboContentStore)
    assert (kubo.api_url, kubo.timeout) == ("http://127.0.0.1:5001", 5.0)
    assert isinstance(local, ContentStore)
    assert isinstance(kubo, ContentStore)
