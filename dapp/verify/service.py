"""Verification of certificates (R-VER-1) and reservations (R-VER-2) for anyone, without an account.

The checks are the standalone verifier's (`drec_verifier`): the verdict comes from the chain and the documents,
read here from the platform's own store instead of the gateway, and the platform's record is one more witness
(dapp.verify.records), so the pages, the API and an auditor's command agree on every case.
"""

import re
import uuid
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.chain.contracts import Chain
from dapp.ipfs import ContentStore, ContentStoreError, InvalidCID
from dapp.models.issuance import Certificate
from dapp.verify import records
from dapp.verify.errors import CertificateNeverIssued, NotInRegister, ReservationNeverLogged
from drec_verifier import certificate, ledger, reservation
from drec_verifier.chain import Rpc
from drec_verifier.report import Report
from drec_verifier.sources import DocumentUnavailable, Sources

TOKEN_ID = re.compile(r"[0-9]{1,78}")
CERTIFICATE_KEY = re.compile(r"0x[0-9a-fA-F]{64}")
TOKEN_LIMIT = 2**256


def sources(session: Session, chain: Chain, content: ContentStore) -> Sources:
    """The chain the platform writes to, its content store as the gateway, and its database as a witness."""
    contracts = chain.deployment["contracts"]
    return Sources(
        Rpc.connect(chain.rpc_url),
        contracts["DrecCertificates"]["address"],
        contracts["ReservationLog"]["address"],
        chain.deployment["block_number"],
        partial(_stored, content),
        partial(records.records, session),
    )


def _stored(content: ContentStore, cid: str) -> bytes:
    try:
        return content.get(cid)
    except (ContentStoreError, InvalidCID) as error:
        raise DocumentUnavailable(str(error) or type(error).__name__) from error


def token_of(session: Session, reference: str) -> int:
    """The token id a reference names: a decimal token id, a 0x certificate key or a certificate id."""
    if TOKEN_ID.fullmatch(reference) and int(reference) < TOKEN_LIMIT:
        return int(reference)
    if CERTIFICATE_KEY.fullmatch(reference):
        return int(reference, 16)
    try:
        certificate_id = uuid.UUID(reference)
    except ValueError:
        raise CertificateNeverIssued(
            "This is neither a token id (decimal, below 2^256), a certificate key (0x and 64 hex digits) nor a "
            "certificate id (UUID)."
        ) from None
    token = session.scalar(select(Certificate.token_id).where(Certificate.id == certificate_id))
    if token is None:
        raise CertificateNeverIssued("No certificate has this id.")
    return int(token)


def verify_certificate(session: Session, chain: Chain, content: ContentStore, reference: str) -> Report:
    token = token_of(session, reference)
    source = sources(session, chain, content)
    book = ledger.for_tokens(source, [token])
    if token not in book.issued:
        raise CertificateNeverIssued(f"The contract never issued token {token}.", token_id=str(token))
    return certificate.verify(source, book, token)


def verify_reservation(session: Session, chain: Chain, content: ContentStore, reference: str) -> Report:
    try:
        reservation_id = uuid.UUID(reference)
    except ValueError:
        raise ReservationNeverLogged("A reservation id is a UUID.") from None
    source = sources(session, chain, content)
    events = reservation.log_events(source, reservation_id)
    if not events:
        raise ReservationNeverLogged("The reservation log on chain has no entry for this reservation.")
    return reservation.verify(source, reservation_id, events)


def record(session: Session, kind: str, key: str) -> dict[str, Any]:
    """The registry's record of a certificate (by token id) or a reservation, as the public register shows it."""
    found = records.records(session, kind, key)
    if found is None:
        raise NotInRegister(f"The registry has no {kind} {key}.")
    return found
