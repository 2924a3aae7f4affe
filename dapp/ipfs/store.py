"""Content stores: where certificate metadata, device lists and uploaded files live, addressed by CID.

`LocalContentStore` keeps content on disk under its CID (development, tests, single-host deployments);
`KuboContentStore` talks to a Kubo node's HTTP RPC API (production). Both hand out the same CID for the
same bytes, the one `ipfs add --cid-version=1` gives (see `dapp.ipfs.cid`).
"""

import json
import os
import tempfile
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

import requests

from dapp.ipfs.cid import CHUNK_SIZE, cid_for_bytes, parse_cid

DEFAULT_TIMEOUT = 30.0


class ContentStoreError(Exception):
    """The content store failed (unreachable node, unexpected answer, ...)."""


class ContentNotFound(ContentStoreError):
    """No content is available for this CID (for Kubo: not retrievable within the timeout)."""


class ContentCorrupted(ContentStoreError):
    """The bytes read for a CID do not hash to that CID."""


@runtime_checkable
class ContentStore(Protocol):
    """Content-addressed storage; every method raises `InvalidCID` (a ValueError) for a malformed CID."""

    def add(self, data: bytes) -> str:
        """Store and pin `data`; returns its CID. Adding the same bytes again is harmless."""
        ...

    def get(self, cid: str) -> bytes:
        """The bytes stored under `cid`; raises ContentNotFound or ContentCorrupted."""
        ...

    def has(self, cid: str) -> bool:
        """Whether this store holds (pins) `cid`."""
        ...


def _atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see either no file or the whole file (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


class LocalContentStore:
    """Content in files named by CID under `root` (`root/<2 chars>/<cid>`); nothing is ever deleted."""

    def __init__(self, root: Path) -> None:
        """Use (and create on first add) the directory `root`."""
        self.root = Path(root)

    def path_for(self, cid: str) -> Path:
        """Where `cid` is kept; validating the CID also keeps the path inside `root`."""
        parse_cid(cid)
        return self.root / cid[-3:-1] / cid  # next-to-last two characters, like Kubo's flatfs

    def add(self, data: bytes) -> str:
        """Store `data` under its CID; an intact existing copy is left alone, a damaged one replaced."""
        cid = cid_for_bytes(data)
        path = self.path_for(cid)
        if not (path.is_file() and path.read_bytes() == data):
            _atomic_write(path, data)
        return cid

    def get(self, cid: str) -> bytes:
        """Read the content of `cid` and check it still hashes to `cid`."""
        try:
            data = self.path_for(cid).read_bytes()
        except FileNotFoundError:
            raise ContentNotFound(f"no content stored for {cid}") from None
        if cid_for_bytes(data) != cid:
            raise ContentCorrupted(f"stored content of {cid} does not match its CID")
        return data

    def has(self, cid: str) -> bool:
        """Whether a file exists for `cid` (not checking its integrity, `get` does that)."""
        return self.path_for(cid).is_file()


def _kubo_message(response: requests.Response) -> str:
    """The `Message` of a Kubo RPC error document, or the raw body when it is not one."""
    try:
        document = response.json()
    except ValueError:
        return response.text
    return str(document.get("Message", document)) if isinstance(document, dict) else response.text


def _added_cid(response: requests.Response) -> str | None:
    """The root CID in an `add` answer: one JSON object per line, the root's last."""
    try:
        return str(json.loads(response.text.strip().splitlines()[-1])["Hash"])
    except (ValueError, IndexError, KeyError, TypeError):
        return None


class KuboContentStore:
    """A Kubo node reached through its HTTP RPC API (`/api/v0/...`); every call has a timeout."""

    # Kubo's defaults for CIDv1, spelled out so that a node's Import.* configuration cannot change CIDs.
    ADD_PARAMS: ClassVar[dict[str, str]] = {
        "cid-version": "1",
        "pin": "true",
        "raw-leaves": "true",
        "chunker": f"size-{CHUNK_SIZE}",
        "hash": "sha2-256",
    }

    def __init__(self, api_url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        """`api_url` like http://127.0.0.1:5001; `timeout` in seconds for connecting and for each read."""
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    def _rpc(self, command: str, params: dict[str, str], **kwargs: Any) -> requests.Response:
        """POST an RPC command; raises requests' errors, or ContentStoreError carrying Kubo's message."""
        url = f"{self.api_url}/api/v0/{command}"
        response = requests.post(url, params=params, timeout=self.timeout, **kwargs)
        if response.status_code != 200:
            message = _kubo_message(response)
            raise ContentStoreError(f"Kubo {command} failed ({response.status_code}): {message}")
        return response

    def add(self, data: bytes) -> str:
        """Add and pin `data`; refuses a CID differing from the locally computed one."""
        expected = cid_for_bytes(data)
        try:
            response = self._rpc("add", self.ADD_PARAMS, files={"file": ("content", data)})
        except requests.RequestException as exc:
            raise ContentStoreError(f"Kubo add failed: {exc}") from exc
        cid = _added_cid(response)
        if cid != expected:
            raise ContentStoreError(f"Kubo gave CID {cid}, expected {expected}: check its import settings")
        return expected

    def get(self, cid: str) -> bytes:
        """`cat` the content; a timeout or a "not found" answer means ContentNotFound."""
        parse_cid(cid)
        try:
            data = self._rpc("cat", {"arg": cid}).content
        except requests.Timeout:
            raise ContentNotFound(f"{cid} not retrievable within {self.timeout} s") from None
        except requests.RequestException as exc:
            raise ContentStoreError(f"Kubo cat failed: {exc}") from exc
        except ContentStoreError as exc:
            if "not found" in str(exc):
                raise ContentNotFound(str(exc)) from exc
            raise
        if cid_for_bytes(data) != cid:  # also catches a stream Kubo cut short (errors come as trailers)
            raise ContentCorrupted(f"content received for {cid} does not match its CID")
        return data

    def has(self, cid: str) -> bool:
        """Whether the node pins `cid` recursively, which is what `add` does."""
        parse_cid(cid)
        try:
            self._rpc("pin/ls", {"arg": cid, "type": "recursive"})
        except requests.RequestException as exc:
            raise ContentStoreError(f"Kubo pin/ls failed: {exc}") from exc
        except ContentStoreError as exc:
            if "not pinned" in str(exc):
                return False
            raise
        return True


def content_store_from_settings(
    ipfs_api_url: str | None, local_root: Path, *, timeout: float = DEFAULT_TIMEOUT
) -> ContentStore:
    """A Kubo store when an RPC API URL is configured (`DREC_IPFS_API_URL`), else a local one."""
    if ipfs_api_url:
        return KuboContentStore(ipfs_api_url, timeout)
    return LocalContentStore(local_root)


def canonical_json(obj: Any) -> bytes:
    """One byte string per JSON document: sorted keys, no whitespace, UTF-8, NaN/Infinity refused."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def add_json(store: ContentStore, obj: Any) -> str:
    """Store a JSON document canonically, so equal documents always get the same CID."""
    return store.add(canonical_json(obj))


def get_json(store: ContentStore, cid: str) -> Any:
    """Load a JSON document stored with `add_json`."""
    return json.loads(store.get(cid).decode("utf-8"))
