"""/api/v1 routes of certificates."""

from dapp.accounts.permissions import Module, Permission
from dapp.issuance import service
from dapp.issuance.schemas import CertificateRead
from dapp.web.api import ApiBlueprint, Call

api = ApiBlueprint("issuance_api", __name__)


@api.endpoint_route("/certificates", "GET", module=Module.CERTIFICATES, permission=Permission.READ)
def list_certificates(call: Call) -> list[dict[str, object]]:
    """Certificates owned by the organization, with per-device contributions."""
    return [
        CertificateRead.model_validate(c).model_dump(mode="json") for c in service.list_for(call.session, call.actor)
    ]
