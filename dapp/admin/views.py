"""Platform admin pages: the dashboard of organizations, one organization's users, disable/enable."""

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from dapp import platform
from dapp.admin import outbox, service
from dapp.audit import service as audit
from dapp.audit.schemas import AuditQuery
from dapp.chain.jobs import enqueue_submit
from dapp.errors import DomainError
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


@bp.get("/admin/chain-outbox")
@admin_page
def chain_outbox(call: PageCall) -> str:
    return render_template("admin/chain_outbox.html", entries=outbox.entries_needing_attention(call.session))


@bp.post("/admin/chain-outbox/<int:entry_id>/retry")
@admin_page
def retry_chain_outbox_entry(call: PageCall, entry_id: int) -> Response:
    try:
        entry = outbox.retry_entry(call.session, call.actor, platform.current().clock.now(), entry_id)
    except DomainError as error:
        flash(error.detail, "error")
    else:
        call.after_commit.append(enqueue_submit)
        flash(f"Entry {entry.id} will be tried again now.", "success")
    return redirect(url_for("admin.chain_outbox"))
