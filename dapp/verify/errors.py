"""Errors of public verification and of the content gateway, each a problem document with a stable code."""

from dapp.errors import DomainError, NotFound


class CertificateNeverIssued(NotFound):
    """The chain has no certificate with this token id: the contract never issued it."""

    code = "certificate_never_issued"


class ReservationNeverLogged(NotFound):
    """The reservation log on chain has no entry for this reservation id."""

    code = "reservation_never_logged"


class NotInRegister(NotFound):
    """The registry has no record of this certificate or reservation (the chain may still have one)."""

    code = "not_in_register"


class DocumentCidMalformed(DomainError):
    """The path is not a CIDv1 (base32, sha2-256) of the kind the registry records on chain."""

    code = "cid_malformed"
    title = "Malformed CID"


class DocumentNotFound(NotFound):
    """No public document has this CID: the chain references no such document of the registry."""

    code = "document_not_found"


class DocumentUnavailable(DomainError):
    """The document is referenced but its stored bytes are missing or no longer hash to its CID."""

    status = 503
    code = "document_unavailable"
    title = "Document unavailable"
