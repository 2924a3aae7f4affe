"""/api/v1/audit-log: the organization's audit log, for its admins (R-ACC-11)."""

from dapp.access.errors import OrgAdminRequired
from dapp.access.permissions import Module, Permission, require_org_admin
from dapp.audit import service
from dapp.audit.schemas import AuditLogFilter, AuditPage, AuditQuery
from dapp.errors import Invalid
from dapp.web.api import ApiBlueprint, MemberCall
from dapp.web.query import query_args

api = ApiBlueprint("audit_api", __name__)


@api.member_route(
    "/audit-log",
    "GET",
    Module.ORGANIZATION,
    Permission.READ,
    query=AuditLogFilter,
    response=AuditPage,
    errors=(Invalid, OrgAdminRequired),
)
def audit_log(call: MemberCall[None]) -> AuditPage:
    """Your organization's audit log, newest first (admins only); `action` filters by prefix, e.g. `api_key.`."""
    assert call.actor is not None
    admin = require_org_admin(call.actor)
    filters = query_args(AuditLogFilter)
    query = AuditQuery(organization_id=admin.organization_id, **filters.model_dump())
    items, total = service.list_page(call.session, query)
    return AuditPage(items=items, page=filters.page, size=filters.size, total=total)
