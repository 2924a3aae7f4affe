"""Platform admin pages: the dashboard of organizations, one organization's users, disable/enable."""

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from dapp import platform
from dapp.admin import service
from dapp.audit import service as audit
from dapp.audit.schemas import AuditQuery
from dapp.web.pages import PageCall, admin_page

bp = Blueprint("admin", __name__)


@bp.get("/admin")
@admin_page
def dashboard(call: PageCall) -> str:
    return render_template("admin/dashboard.html", organizations=service.list_organizations(call.session))


@bp.get("/admin/organizations/<uuid:organization_id>")
@admin_page
def organization(call: PageCall, organization_id: uuid.UUID) -> str:
    org = service.get_organization(call.session, organization_id)
    entries, _ = audit.list_page(call.session, AuditQuery(organization_id=org.id, size=20))
    return render_template(
        "admin/organization.html",
        organization=org,
        users=service.list_users(call.session, org.id),
        entries=entries,
    )


@bp.post("/admin/organizations/<uuid:organization_id>/<any(disable, enable):action>")
@admin_page
def set_organization_state(call: PageCall, organization_id: uuid.UUID, action: str) -> Response:
    org = service.set_organization_disabled(
        call.session, call.actor, platform.current().clock.now(), organization_id, action == "disable"
    )
    flash(f"{org.name} is {'disabled' if org.disabled_at else 'enabled'}.", "success")
    return redirect(url_for("admin.organization", organization_id=org.id))


@bp.post("/admin/users/<uuid:user_id>/<any(disable, enable):action>")
@admin_page
def set_user_state(call: PageCall, user_id: uuid.UUID, action: str) -> Response:
    user = service.set_user_disabled(
        call.session, call.actor, platform.current().clock.now(), user_id, action == "disable"
    )
    flash(f"{user.email} is {'disabled' if user.is_disabled else 'enabled'}.", "success")
    if user.organization_id is None:
        return redirect(url_for("admin.dashboard"))
    return redirect(url_for("admin.organization", organization_id=user.organization_id))
