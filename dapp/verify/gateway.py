"""The content gateway (R-REG-3, R-IPFS-1): `GET /ipfs/{cid}` serves the exact stored bytes of every document
the chain references — certificate metadata and reservation device lists — to anyone.

Only those documents are public: a CID is served when a certificate records it as its metadata or an indexed
reservation-log event names it. Bulk-upload files and anything else in the store stay with their owners. The
bytes never change under a CID, so the answer carries the CID as its ETag and may be cached forever.
"""

from flask import Blueprint, Response, request
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from dapp import platform
from dapp.access.permissions import Actor, PlatformAdmin
from dapp.errors import DomainError
from dapp.ipfs import ContentStoreError, InvalidCID, parse_cid
from dapp.models.chain import ChainEvent
from dapp.models.issuance import Certificate
from dapp.verify.errors import DocumentCidMalformed, DocumentNotFound, DocumentUnavailable
from dapp.web.api import problem_response
from dapp.web.pages import PageCall, public_page
from drec_verifier.content import is_cid

bp = Blueprint("gateway", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"


@bp.get("/ipfs/<path:cid>")
@public_page
def document(call: PageCall[Actor | PlatformAdmin | None], cid: str) -> Response:
    """The document's bytes, or a problem document (this is an API for machines, though outside /api)."""
    try:
        return _serve(call.session, cid)
    except DomainError as error:
        return problem_response(error)


def _serve(session: Session, cid: str) -> Response:
    if not is_cid(cid):
        raise DocumentCidMalformed("Expected a CIDv1 in base32 (it starts with 'b') naming a sha2-256 digest.")
    if not is_published(session, cid):
        raise DocumentNotFound("The chain references no document of this registry with this CID.")
    p = platform.current()
    etag = f'"{cid}"'
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"}
    if etag in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers=headers)
    try:
        data = p.content.get(cid)
    except (ContentStoreError, InvalidCID) as error:
        raise DocumentUnavailable(f"The document's stored bytes cannot be served: {error}") from error
    return Response(data, content_type="application/json", headers=headers)


def is_published(session: Session, cid: str) -> bool:
    """Whether a certificate's metadata, an indexed `CertificateIssued` (minted by the platform or not) or
    `IrecIssued` (the converted document, ADR 0110), or an indexed reservation-log event names `cid`."""
    digest = "0x" + parse_cid(cid)[1].hex()
    metadata = exists().where(Certificate.metadata_cid == cid)
    issued = exists().where(ChainEvent.args["metadataCidDigest"].astext == digest)
    device_list = exists().where(ChainEvent.args["devicesCid"].astext == cid)
    return bool(session.scalar(select(metadata | issued | device_list)))
