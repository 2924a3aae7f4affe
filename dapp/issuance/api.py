"""/api/v1 routes of certificates."""

import uuid

from flask import request

from dapp.accounts.permissions import Module, Permission
from dapp.errors import field_error
from dapp.issuance import explain, listing
from dapp.issuance.schemas import CertificateFilter, CertificatePage, CertificateRead, Explanation
from dapp.web.api import ApiBlueprint, Call
from dapp.web.query import query_args

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
    return listing.certificate_read(call.session, certificate)


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
    return explain.explain(call.session, certificate, _uuid_arg("device_id", device) if device else None)


@api.endpoint_route(
    "/certified-reads", "GET", module=Module.METER_READS, permission=Permission.READ, response=CertificatePage
)
def certified_reads(call: Call) -> CertificatePage:
    """Certificates that include the organization's devices, with those devices' contributions (developers)."""
    filters = query_args(CertificateFilter)
    listed = listing.developer_certificates(call.session, call.actor, filters)
    return CertificatePage(items=listed.items, page=filters.page, size=filters.size, total=listed.total)


def _uuid_arg(name: str, value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise field_error(name, f"{name} must be a UUID.") from error
