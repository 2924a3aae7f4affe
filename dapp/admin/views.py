"""Platform admin pages: the dashboard of organizations, one organization's users, disable/enable."""

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from dapp import platform
from dapp.access.permissions import PlatformAdmin
from dapp.admin.service import accounts, outbox
from dapp.audit import service as audit
from dapp.audit.schemas import AuditQuery
from dapp.web.pages import Failed, PageCall, admin_page, attempt

bp = Blueprint("admin", __name__)


@bp.get("/admin")
@admin_page
def dashboard(call: PageCall[PlatformAdmin]) -> str:
    return render_template("admin/dashboard.html", organizations=accounts.list_organizations(call.session))


@bp.get("/admin/organizations/<uuid:organization_id>")
@admin_page
def organization(call: PageCall[PlatformAdmin], organization_id: uuid.UUID) -> str:
    org = accounts.get_organization(call.session, organization_id)
    entries, _ = audit.list_page(call.session, AuditQuery(organization_id=org.id, size=20))
    return render_template(
        "admin/organization.html",
        organization=org,
        users=accounts.list_users(call.session, org.id),
        entries=entries,
    )


@bp.post("/admin/organizations/<uuid:organization_id>/<any(disable, enable):action>")
@admin_page
def set_organization_state(call: PageCall[PlatformAdmin], organization_id: uuid.UUID, action: str) -> Response:
    org = accounts.set_organization_disabled(
        call.session, call.actor, platform.current().clock.now(), organization_id, action == "disable"
    )
    flash(f"{org.name} is {'disabled' if org.disabled_at else 'enabled'}.", "success")
    return redirect(url_for("admin.organization", organization_id=org.id))


@bp.post("/admin/users/<uuid:user_id>/<any(disable, enable):action>")
@admin_page
def set_user_state(call: PageCall[PlatformAdmin], user_id: uuid.UUID, action: str) -> Response:
    user = accounts.set_user_disabled(
        call.session, call.actor, platform.current().clock.now(), user_id, action == "disable"
    )
    flash(f"{user.email} is {'disabled' if user.is_disabled else 'enabled'}.", "success")
    if user.organization_id is None:
        return redirect(url_for("admin.dashboard"))
    return redirect(url_for("admin.organization", organization_id=user.organization_id))


@bp.get("/admin/chain-outbox")
@admin_page
def chain_outbox(call: PageCall[PlatformAdmin]) -> str:
    return render_template("admin/chain_outbox.html", entries=outbox.entries_needing_attention(call.session))


@bp.post("/admin/chain-outbox/<int:entry_id>/retry")
@admin_page
def retry_chain_outbox_entry(call: PageCall[PlatformAdmin], entry_id: int) -> Response:
    entry = attempt(
        call.session, lambda: outbox.retry_entry(call.session, call.actor, platform.current().clock.now(), entry_id)
    )
    if not isinstance(entry, Failed):
        flash(f"Entry {entry.id} will be tried again now.", "success")
    return redirect(url_for("admin.chain_outbox"))
