"""The audit log page of an organization, for its admins (R-ACC-11)."""

from flask import Blueprint, render_template, request

from dapp.access.permissions import Actor, Module, Permission, require_org_admin
from dapp.audit import service
from dapp.audit.schemas import AuditQuery
from dapp.web.pages import PageCall, page
from dapp.web.paging import page_args

bp = Blueprint("audit", __name__)


@bp.get("/organization/audit-log")
@page(Module.ORGANIZATION, Permission.READ)
def audit_log(call: PageCall[Actor]) -> str:
    admin = require_org_admin(call.actor)
    number, size = page_args(request.args)
    action = (request.args.get("action") or "")[:60] or None
    query = AuditQuery(organization_id=admin.organization_id, action=action, page=number, size=size)
    entries, total = service.list_page(call.session, query)
    return render_template("audit/log.html", entries=entries, total=total, page=number, size=size, action=action or "")
