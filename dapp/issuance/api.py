"""/api/v1 routes of certificates."""

import uuid

from flask import request

from dapp import platform
from dapp.accounts.permissions import Module, Permission
from dapp.errors import Conflict
from dapp.issuance import claims, explain, listing, statement, transfers
from dapp.issuance.models import Certificate
from dapp.issuance.schemas import (
    CertificateFilter,
    CertificatePage,
    CertificateRead,
    ClaimCreate,
    ClaimRead,
    Explanation,
    TransferCreate,
    TransferRead,
)
from dapp.web.api import ApiBlueprint, Call
from dapp.web.query import query_args, uuid_arg

api = ApiBlueprint("issuance_api", __name__)


@api.endpoint_route(
    "/certificates", "GET", module=Module.CERTIFICATES, permission=Permission.READ, response=CertificatePage
)
def list_certificates(call: Call) -> CertificatePage:
    """Certificates owned by the organization (filters: country, off_taker, date_from, date_to), paginated."""
    filters = query_args(CertificateFilter)
    listed = listing.buyer_certificates(call.session, call.actor, filters)
    return CertificatePage(items=listed.items, page=filters.page, size=filters.size, total=listed.total)


@api.endpoint_route(
    "/certificates/<uuid:certificate_id>",
    "GET",
    module=Module.CERTIFICATES,
    permission=Permission.READ,
    response=CertificateRead,
)
def get_certificate(call: Call, certificate_id: uuid.UUID) -> CertificateRead:
    """One certificate with every device's contribution."""
    certificate = listing.buyer_certificate(call.session, call.actor, certificate_id)
    return listing.certificate_read(call.session, certificate, call.actor)


@api.endpoint_route(
    "/certificates/<uuid:certificate_id>/explanation",
    "GET",
    module=Module.CERTIFICATES,
    permission=Permission.READ,
    response=Explanation,
)
def explain_certificate(call: Call, certificate_id: uuid.UUID) -> Explanation:
    """How the certificate was computed; `?device_id=` adds that device's reads and their splits."""
    certificate = listing.buyer_certificate(call.session, call.actor, certificate_id)
    device = request.args.get("device_id")
    return explain.explain(call.session, certificate, uuid_arg("device_id", device) if device else None)


@api.endpoint_route(
    "/certified-reads", "GET", module=Module.METER_READS, permission=Permission.READ, response=CertificatePage
)
def certified_reads(call: Call) -> CertificatePage:
    """Certificates that include the organization's devices, with those devices' contributions (developers)."""
    filters = query_args(CertificateFilter)
    listed = listing.developer_certificates(call.session, call.actor, filters)
    return CertificatePage(items=listed.items, page=filters.page, size=filters.size, total=listed.total)


@api.endpoint_route(
    "/certificates/<uuid:certificate_id>/claims",
    "POST",
    module=Module.CERTIFICATES,
    permission=Permission.UPDATE,
    body=ClaimCreate,
    response=ClaimRead,
    status=201,
)
def claim_certificate(call: Call, certificate_id: uuid.UUID) -> ClaimRead:
    """Claim (retire) part or all of a certificate; written on chain by a worker, then a statement is available."""
    claim = claims.request_claim(call.session, call.actor, call.now, certificate_id, call.body)
    return claims.claim_read(claim, None)


@api.endpoint_route(
    "/certificates/<uuid:certificate_id>/claims", "GET", module=Module.CERTIFICATES, permission=Permission.READ
)
def list_claims(call: Call, certificate_id: uuid.UUID) -> list[dict[str, object]]:
    """The claims of one certificate."""
    return [c.model_dump(mode="json") for c in claims.claims_of(call.session, call.actor, certificate_id)]


@api.endpoint_route(
    "/certificates/<uuid:certificate_id>/transfers",
    "POST",
    module=Module.CERTIFICATES,
    permission=Permission.UPDATE,
    body=TransferCreate,
    response=TransferRead,
    status=201,
)
def transfer_certificate(call: Call, certificate_id: uuid.UUID) -> TransferRead:
    """Transfer part or all of a certificate from your managed account to an address or an organization."""
    now = call.now
    transfer = transfers.request_transfer(call.session, call.actor, now, certificate_id, call.body)
    return transfers.requested_read(call.session, transfer)


@api.endpoint_route(
    "/certificates/<uuid:certificate_id>/transfers", "GET", module=Module.CERTIFICATES, permission=Permission.READ
)
def list_transfers(call: Call, certificate_id: uuid.UUID) -> list[dict[str, object]]:
    """The transfers of one certificate your organization asked for, with their status as indexed."""
    return [t.model_dump(mode="json") for t in transfers.transfers_of(call.session, call.actor, certificate_id)]


@api.endpoint_route("/claims/<uuid:claim_id>/statement", "GET", module=Module.CERTIFICATES, permission=Permission.READ)
def claim_statement(call: Call, claim_id: uuid.UUID) -> dict[str, object]:
    """The signed retirement statement of a claim (facts, signer, EIP-191 signature)."""
    made = claim_statement_of(call.session, call.actor, claim_id)
    return {"facts": made.facts, "signer": made.signer, "signature": made.signature}


def claim_statement_of(session, actor, claim_id: uuid.UUID) -> statement.Statement:
    """The signed statement of one of the actor's claims (pages use it too)."""
    settings = platform.current().settings
    claim = claims.get_claim(session, actor, claim_id)
    claimed_at = claims.indexed_claim_time(session, claim)
    if claimed_at is None:
        raise Conflict(
            "The claim is not recorded on chain yet; the statement follows once it is.", code="claim_not_recorded"
        )
    certificate_token = session.get_one(Certificate, claim.certificate_id).token_id
    verify_url = f"{settings.base_url}/verify/certificates/{certificate_token}"
    facts = claims.statement_facts(session, claim, claimed_at, verify_url)
    return statement.signed(facts, settings.platform_private_key)
