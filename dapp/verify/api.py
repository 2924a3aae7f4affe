"""Public verification API (no account needed)."""

from dapp import platform
from dapp.chain import contracts
from dapp.verify import service
from dapp.verify.schemas import CertificateVerification
from dapp.web.api import ApiBlueprint, Call

api = ApiBlueprint("verify_api", __name__)


@api.endpoint_route("/verify/certificates/<reference>", "GET", public=True, response=CertificateVerification)
def verify_certificate(call: Call, reference: str) -> CertificateVerification:
    """Check a certificate (token id or certificate id) against the chain and its IPFS document."""
    p = platform.current()
    return service.verify(call.session, contracts.from_settings(p.settings), p.content, reference)
