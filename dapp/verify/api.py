"""Public verification API (no account needed)."""

from dapp import platform
from dapp.chain import contracts
from dapp.issuance.errors import CertificateNotFound
from dapp.verify import service
from dapp.verify.schemas import CertificateVerification
from dapp.web.api import ApiBlueprint, PublicCall

api = ApiBlueprint("verify_api", __name__)


@api.public_route(
    "/verify/certificates/<reference>", "GET", response=CertificateVerification, errors=(CertificateNotFound,)
)
def verify_certificate(call: PublicCall[None], reference: str) -> CertificateVerification:
    """Check a certificate (token id or certificate id) against the chain and its IPFS document."""
    p = platform.current()
    return service.verify(call.session, contracts.from_settings(p.settings), p.content, reference)
