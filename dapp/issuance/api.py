"""/api/v1 routes of certificates."""

import uuid
from typing import Any

from dapp import platform
from dapp.access.permissions import Module, Permission
from dapp.chain import keystore
from dapp.errors import Invalid
from dapp.issuance.errors import (
    CertificateEnergyRedeemedAsIrec,
    CertificateHeldProvisionally,
    CertificateNotFound,
    CertificateNotMinted,
    CertificateNotOwned,
    CertificateRedeemedAsIrec,
    CertificateRevoked,
    ClaimNotFound,
    ClaimNotRecorded,
    DeviceNotInCertificate,
    ExternalWallet,
)
from dapp.issuance.schemas import (
    CertificateFilter,
    CertificatePage,
    CertificateRead,
    ClaimCreate,
    ClaimRead,
    Explanation,
    ExplanationQuery,
    TransferCreate,
    TransferRead,
)
from dapp.issuance.service import claims, explain, listing, transfers
from dapp.issuance.service.gas import gas_statement
from dapp.reservations.errors import ReservationNotFound
from dapp.reservations.service import listing as reservation_listing
from dapp.web.api import ApiBlueprint, MemberCall
from dapp.web.query import query_args

api = ApiBlueprint("issuance_api", __name__)


@api.member_route(
    "/certificates",
    "GET",
    Module.CERTIFICATES,
    Permission.READ,
    query=CertificateFilter,
    response=CertificatePage,
    errors=(Invalid,),
)
def list_certificates(call: MemberCall[None]) -> CertificatePage:
    """Certificates owned by the organization (filters: country, off_taker, date_from, date_to), paginated."""
    filters = query_args(CertificateFilter)
    listed = listing.buyer_certificates(call.session, call.actor, filters)
    return CertificatePage(items=listed.items, page=filters.page, size=filters.size, total=listed.total)


@api.member_route(
    "/certificates/<uuid:certificate_id>",
    "GET",
    Module.CERTIFICATES,
    Permission.READ,
    response=CertificateRead,
    errors=(CertificateNotFound,),
)
def get_certificate(call: MemberCall[None], certificate_id: uuid.UUID) -> CertificateRead:
    """One certificate with every device's contribution."""
    certificate = listing.buyer_certificate(call.session, call.actor, certificate_id)
    return listing.certificate_read(call.session, certificate, call.actor)


@api.member_route(
    "/certificates/<uuid:certificate_id>/explanation",
    "GET",
    Module.CERTIFICATES,
    Permission.READ,
    query=ExplanationQuery,
    response=Explanation,
    errors=(CertificateNotFound, DeviceNotInCertificate, Invalid),
)
def explain_certificate(call: MemberCall[None], certificate_id: uuid.UUID) -> Explanation:
    """How the certificate was computed; `?device_id=` adds that device's reads and their splits."""
    certificate = listing.buyer_certificate(call.session, call.actor, certificate_id)
    return explain.explain(call.session, certificate, query_args(ExplanationQuery).device_id)


@api.member_route(
    "/certified-reads",
    "GET",
    Module.METER_READS,
    Permission.READ,
    query=CertificateFilter,
    response=CertificatePage,
    errors=(Invalid,),
)
def certified_reads(call: MemberCall[None]) -> CertificatePage:
    """Certificates that include the organization's devices, with those devices' contributions (developers)."""
    filters = query_args(CertificateFilter)
    listed = listing.developer_certificates(call.session, call.actor, filters)
    return CertificatePage(items=listed.items, page=filters.page, size=filters.size, total=listed.total)


@api.member_route(
    "/certificates/<uuid:certificate_id>/claims",
    "POST",
    Module.CERTIFICATES,
    Permission.UPDATE,
    body=ClaimCreate,
    response=ClaimRead,
    status=201,
    errors=(
        CertificateEnergyRedeemedAsIrec,
        CertificateHeldProvisionally,
        CertificateNotFound,
        CertificateNotMinted,
        CertificateNotOwned,
        CertificateRedeemedAsIrec,
        CertificateRevoked,
        ExternalWallet,
    ),
)
def claim_certificate(call: MemberCall[ClaimCreate], certificate_id: uuid.UUID) -> ClaimRead:
    """Claim (retire) part or all of a certificate; written on chain by a worker, then a statement is available."""
    claim = claims.request_claim(call.session, call.actor, call.now, certificate_id, call.body)
    return claims.claim_read(claim, None)


@api.member_route(
    "/certificates/<uuid:certificate_id>/claims",
    "GET",
    Module.CERTIFICATES,
    Permission.READ,
    errors=(CertificateNotFound,),
)
def list_claims(call: MemberCall[None], certificate_id: uuid.UUID) -> list[dict[str, object]]:
    """The claims of one certificate."""
    return [c.model_dump(mode="json") for c in claims.claims_of(call.session, call.actor, certificate_id)]


@api.member_route(
    "/certificates/<uuid:certificate_id>/transfers",
    "POST",
    Module.CERTIFICATES,
    Permission.UPDATE,
    body=TransferCreate,
    response=TransferRead,
    status=201,
    errors=(
        CertificateHeldProvisionally,
        CertificateNotFound,
        CertificateNotMinted,
        CertificateNotOwned,
        CertificateRevoked,
        ExternalWallet,
    ),
)
def transfer_certificate(call: MemberCall[TransferCreate], certificate_id: uuid.UUID) -> TransferRead:
    """Transfer part or all of a certificate from your managed account to an address or an organization."""
    now = call.now
    transfer = transfers.request_transfer(call.session, call.actor, now, certificate_id, call.body)
    return transfers.requested_read(call.session, transfer)


@api.member_route(
    "/certificates/<uuid:certificate_id>/transfers",
    "GET",
    Module.CERTIFICATES,
    Permission.READ,
    errors=(CertificateNotFound,),
)
def list_transfers(call: MemberCall[None], certificate_id: uuid.UUID) -> list[dict[str, object]]:
    """The transfers of one certificate your organization asked for, with their status as indexed."""
    return [t.model_dump(mode="json") for t in transfers.transfers_of(call.session, call.actor, certificate_id)]


@api.member_route(
    "/claims/<uuid:claim_id>/statement",
    "GET",
    Module.CERTIFICATES,
    Permission.READ,
    errors=(ClaimNotFound, ClaimNotRecorded),
)
def claim_statement(call: MemberCall[None], claim_id: uuid.UUID) -> dict[str, object]:
    """The signed retirement statement of a claim (facts, signer, EIP-191 signature)."""
    settings = platform.current().settings
    made = claims.signed_statement(
        call.session, call.actor, claim_id, settings.base_url, keystore.platform_key(settings)
    )
    return {"facts": made.facts, "signer": made.signer, "signature": made.signature}


@api.member_route(
    "/reservations/<uuid:reservation_id>/certificates",
    "GET",
    Module.RESERVATIONS,
    Permission.READ,
    errors=(ReservationNotFound,),
)
def reservation_certificates(call: MemberCall[None], reservation_id: uuid.UUID) -> list[dict[str, Any]]:
    """The certificates issued for one reservation, with per-device contributions."""
    return [
        CertificateRead.model_validate(c).model_dump(mode="json")
        for c in reservation_listing.certificates(call.session, call.actor, reservation_id)
    ]


@api.member_route("/gas-fees", "GET", Module.CERTIFICATES, Permission.READ)
def gas_fees(call: MemberCall[None]) -> dict[str, object]:
    """Gas used by mint transactions, attributed to the organization by its Wh in each certificate."""
    charges = gas_statement(call.session, call.actor.organization_id)
    return {
        "total_gas": sum(c.gas for c in charges),
        "items": [
            {
                "tx_hash": c.tx_hash,
                "minted_at": c.minted_at.isoformat(),
                "certificate_id": str(c.certificate_id),
                "certificate_wh": c.certificate_wh,
                "own_wh": c.own_wh,
                "gas": c.gas,
            }
            for c in charges
        ],
    }
