"""/api/v1/audit-log: the organization's audit log, for its admins (R-ACC-11)."""

from flask import request

from dapp.access.errors import OrgAdminRequired
from dapp.access.permissions import Module, Permission, require_org_admin
from dapp.audit import service
from dapp.audit.schemas import AuditPage, AuditQuery
from dapp.errors import Invalid, field_error
from dapp.web.api import ApiBlueprint, MemberCall
from dapp.web.paging import page_args

api = ApiBlueprint("audit_api", __name__)


@api.member_route(
    "/audit-log",
    "GET",
    Module.ORGANIZATION,
    Permission.READ,
    response=AuditPage,
    errors=(Invalid, OrgAdminRequired),
)
def audit_log(call: MemberCall[None]) -> AuditPage:
    """Your organization's audit log, newest first (admins only); `action` filters by prefix, e.g. `api_key.`."""
    assert call.actor is not None
    admin = require_org_admin(call.actor)
    page, size = page_args(request.args)
    action = request.args.get("action") or None
    if action is not None and len(action) > 60:
        raise field_error("action", "action is at most 60 characters.")
    query = AuditQuery(organization_id=admin.organization_id, action=action, page=page, size=size)
    items, total = service.list_page(call.session, query)
    return AuditPage(items=items, page=page, size=size, total=total)
