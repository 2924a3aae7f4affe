"""IPFS content storage (SPEC R-IPFS-1).

Certificate metadata, device lists and uploaded files are stored as IPFS content and referred to by CIDv1.
`cid_for_bytes` computes, without any IPFS node, the CID Kubo's `ipfs add --cid-version=1` gives the same
bytes. `content_store_from_settings` picks the store: a Kubo node over its HTTP RPC API when
`DREC_IPFS_API_URL` is set, otherwise a content-addressed directory on disk (`Settings.ipfs_dir`).
`add_json`/`get_json` store JSON documents canonically, so equal documents share one CID.
"""

from dapp.ipfs.cid import InvalidCID, cid_for_bytes, parse_cid
from dapp.ipfs.store import (
    ContentCorrupted,
    ContentNotFound,
    ContentStore,
    ContentStoreError,
    KuboContentStore,
    LocalContentStore,
    add_json,
    canonical_json,
    content_store_from_settings,
    get_json,
)

__all__ = [
    "ContentCorrupted",
    "ContentNotFound",
    "ContentStore",
    "ContentStoreError",
    "InvalidCID",
    "KuboContentStore",
    "LocalContentStore",
    "add_json",
    "canonical_json",
    "cid_for_bytes",
    "content_store_from_settings",
    "get_json",
    "parse_cid",
]
