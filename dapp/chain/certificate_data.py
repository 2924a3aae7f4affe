"""DrecCertificates' `CertificateData`, as the platform sends it and as verifiers rebuild it from events.

The metadata document's CID travels as its binary CIDv1 cut in two fixed-size fields, a 4-byte prefix (version,
codec, sha2-256, digest length) and the 32-byte digest, so that the struct is static and cheap to pass and
hash (docs/adr/0056).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dapp.ipfs.cid import cid_to_binary, cid_to_text

CID_PREFIX_SIZE = 4


@dataclass(frozen=True)
class CertificateData:
    """One certificate as `issueBatch` takes it; instants in Unix seconds, the metadata CID in text form."""

    certificate_key: bytes
    to: str
    volume_wh: int
    period_start: int
    period_end: int
    reservation_id: bytes
    contributions_root: bytes
    metadata_cid: str

    def as_struct(self) -> tuple[Any, ...]:
        """The Solidity struct's fields in order, the CID cut in its two fixed-size fields."""
        return (
            self.certificate_key,
            self.to,
            self.volume_wh,
            self.period_start,
            self.period_end,
            self.reservation_id,
            self.contributions_root,
            *metadata_cid_fields(self.metadata_cid),
        )


def metadata_cid_fields(cid: str) -> tuple[bytes, bytes]:
    """(prefix, digest) of a text CID of the platform's scheme; raises InvalidCID for any other."""
    binary = cid_to_binary(cid)
    return binary[:CID_PREFIX_SIZE], binary[CID_PREFIX_SIZE:]


def metadata_cid(prefix: bytes, digest: bytes) -> str:
    """The text CID that the two on-chain fields spell."""
    return cid_to_text(prefix + digest)


def from_event(args: Mapping[str, Any]) -> tuple[Any, ...]:
    """The CertificateData a `CertificateIssued` event publishes (its decoded arguments), in field order."""
    return (
        args["id"].to_bytes(32, "big"),
        args["to"],
        args["volumeWh"],
        args["periodStart"],
        args["periodEnd"],
        args["reservationId"],
        args["contributionsRoot"],
        args["metadataCidPrefix"],
        args["metadataCidDigest"],
    )
