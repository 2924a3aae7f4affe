"""Public verification API (no account needed)."""

from dapp import platform
from dapp.chain import contracts
from dapp.verify import service
from dapp.verify.errors import CertificateNeverIssued
from dapp.verify.schemas import CertificateVerification
from dapp.web.api import ApiBlueprint, PublicCall

api = ApiBlueprint("verify_api", __name__)


@api.public_route(
    "/verify/certificates/<reference>", "GET", response=CertificateVerification, errors=(CertificateNeverIssued,)
)
def verify_certificate(call: PublicCall[None], reference: str) -> CertificateVerification:
    """Check a certificate (token id, certificate key or certificate id) against the chain and its document."""
    p = platform.current()
    report = service.verify_certificate(call.session, contracts.from_settings(p.settings), p.content, reference)
    return CertificateVerification.model_validate({"reference": reference, "metadata": None, **report.as_json()})
