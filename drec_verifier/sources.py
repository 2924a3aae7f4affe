"""Where a verification reads: the chain (addresses, first block), the documents (a gateway, or the registry's
own store) and, optionally, the registry's published record as one more witness."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from drec_verifier.chain import Rpc


class DocumentUnavailable(Exception):
    """The gateway has no document under this CID, or could not be reached."""


Documents = Callable[[str], bytes]
Records = Callable[[str, str], dict[str, Any] | None]  # (kind, id) -> the registry's record, None when it has none


@dataclass
class Sources:
    rpc: Rpc
    certificates: str
    reservation_log: str
    first_block: int
    documents: Documents
    records: Records | None = None
    cache: dict[str, bytes] = field(default_factory=dict)

    def document(self, cid: str) -> bytes:
        if cid not in self.cache:
            self.cache[cid] = self.documents(cid)
        return self.cache[cid]


def gateway(base_url: str, session: requests.Session | None = None) -> Documents:
    """Documents from an HTTP gateway serving `GET {base_url}/ipfs/{cid}`; the bytes are checked by the caller."""
    http = session or requests.Session()

    def fetch(cid: str) -> bytes:
        try:
            response = http.get(f"{base_url.rstrip('/')}/ipfs/{cid}", timeout=60)
        except requests.RequestException as error:
            raise DocumentUnavailable(str(error)) from error
        if response.status_code != 200:
            raise DocumentUnavailable(f"the gateway answered {response.status_code}")
        return response.content

    return fetch


def published_records(registry_url: str, session: requests.Session | None = None) -> Records:
    """The registry's public register as a witness: its record of a certificate or a reservation."""
    http = session or requests.Session()
    paths = {"certificate": "certificates", "reservation": "reservations"}

    def record(kind: str, key: str) -> dict[str, Any] | None:
        response = http.get(f"{registry_url.rstrip('/')}/api/v1/register/{paths[kind]}/{key}", timeout=60)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    return record


def discover(registry_url: str) -> dict[str, Any]:
    """The registry's public discovery document (chain id, addresses, first block, gateway, accounts)."""
    response = requests.get(f"{registry_url.rstrip('/')}/.well-known/drec-registry.json", timeout=60)
    response.raise_for_status()
    facts: dict[str, Any] = response.json()
    return facts
