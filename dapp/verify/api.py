"""Public verification API (no account needed)."""

from dapp import platform
from dapp.chain import contracts
from dapp.errors import Invalid
from dapp.verify import register as registry
from dapp.verify import service
from dapp.verify.errors import CertificateNeverIssued, NotInRegister, ReservationNeverLogged
from dapp.verify.schemas import (
    CertificateRecord,
    CertificateVerification,
    RegisterFilter,
    RegisterPage,
    RegisterTotals,
    ReservationRecord,
    ReservationVerification,
)
from dapp.web.api import ApiBlueprint, PublicCall
from dapp.web.query import query_args

api = ApiBlueprint("verify_api", __name__)


@api.public_route(
    "/verify/certificates/<reference>", "GET", response=CertificateVerification, errors=(CertificateNeverIssued,)
)
def verify_certificate(call: PublicCall[None], reference: str) -> CertificateVerification:
    """Check a certificate (token id, certificate key or certificate id) against the chain and its document."""
    p = platform.current()
    report = service.verify_certificate(call.session, contracts.from_settings(p.settings), p.content, reference)
    return CertificateVerification.model_validate({"reference": reference, "metadata": None, **report.as_json()})


@api.public_route(
    "/verify/reservations/<reference>", "GET", response=ReservationVerification, errors=(ReservationNeverLogged,)
)
def verify_reservation(call: PublicCall[None], reference: str) -> ReservationVerification:
    """Check a reservation's on-chain log, its device lists and its certificates against the platform's record."""
    p = platform.current()
    report = service.verify_reservation(call.session, contracts.from_settings(p.settings), p.content, reference)
    return ReservationVerification.model_validate(
        {"reference": reference, "reservation": None, "log": [], "certificates": [], **report.as_json()}
    )


@api.public_route("/register/certificates/<token_id>", "GET", response=CertificateRecord, errors=(NotInRegister,))
def certificate_record(call: PublicCall[None], token_id: str) -> CertificateRecord:
    """The registry's record of a certificate by token id: a witness the standalone verifier compares."""
    return CertificateRecord.model_validate(service.record(call.session, "certificate", token_id))


@api.public_route("/register/reservations/<reservation_id>", "GET", response=ReservationRecord, errors=(NotInRegister,))
def reservation_record(call: PublicCall[None], reservation_id: str) -> ReservationRecord:
    """The registry's record of a reservation: a witness the standalone verifier compares."""
    return ReservationRecord.model_validate(service.record(call.session, "reservation", reservation_id))


@api.public_route("/register/certificates", "GET", query=RegisterFilter, response=RegisterPage, errors=(Invalid,))
def register(call: PublicCall[None]) -> RegisterPage:
    """Issued certificates and what is retired of them (filters: country, technology, date_from, date_to,
    reservation, status), newest generation first, paginated; each row links to its verification."""
    filters = query_args(RegisterFilter)
    listed = registry.listing(call.session, filters, platform.current().settings.base_url)
    return RegisterPage.model_validate(
        {"items": listed.items, "page": filters.page, "size": filters.size, "total": listed.total}
    )


@api.public_route("/register/totals", "GET", query=RegisterFilter, response=RegisterTotals, errors=(Invalid,))
def register_totals(call: PublicCall[None]) -> RegisterTotals:
    """Issued and retired Wh by country and vintage, under the same filters as the register."""
    filters = query_args(RegisterFilter)
    return RegisterTotals.model_validate({"items": registry.totals(call.session, filters)})
