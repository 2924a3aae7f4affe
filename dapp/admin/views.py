"""Platform admin pages: the dashboard (queues, chain outbox by state, indexer lag, signer balances, webhook
failures, organizations), jobs with retry, the chain outbox, webhook failures, platform-wide devices,
reservations and certificates with search; one organization's users; disable/enable."""

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dapp import platform, probes
from dapp.access.permissions import PlatformAdmin
from dapp.admin import operations
from dapp.admin.service import accounts, catalog, jobs, outbox, overview, webhooks
from dapp.audit import service as audit
from dapp.audit.schemas import AuditQuery
from dapp.irec.registry import registry_from_settings
from dapp.platform import QUEUE_NAMES
from dapp.web.pages import Failed, PageCall, admin_page, attempt
from dapp.web.paging import page_args

bp = Blueprint("admin", __name__)


@bp.get("/admin")
@admin_page
def dashboard(call: PageCall[PlatformAdmin]) -> str:
    p = platform.current()
    search = request.args.get("q", "").strip()
    report = operations.snapshot(p)  # the figures `drec health` and /metrics give (ADR 0121)
    return render_template(
        "admin/dashboard.html",
        organizations=accounts.list_organizations(call.session, search or None),
        search=search,
        report=report,
        outbox_states=outbox.STATES,
        signers=overview.signer_figures(call.session, probes.quick_chain(p.settings, signing=True)),
        irec=overview.irec_figures(
            call.session, registry_from_settings(p.settings), p.settings.irec_platform_account, p.clock.now()
        ),
    )


@bp.get("/admin/jobs")
@admin_page
def list_jobs(call: PageCall[PlatformAdmin]) -> str:  # noqa: ARG001 - the jobs live in Redis
    redis = platform.current().redis
    return render_template(
        "admin/jobs.html",
        queues=jobs.queues(redis, QUEUE_NAMES),
        running=jobs.running(redis, QUEUE_NAMES),
        failed=jobs.failed(redis, QUEUE_NAMES),
    )


@bp.post("/admin/jobs/<job_id>/retry")
@admin_page
def retry_job(call: PageCall[PlatformAdmin], job_id: str) -> Response:
    p = platform.current()
    job = attempt(
        call.session, lambda: jobs.retry(call.session, p.redis, QUEUE_NAMES, call.actor, p.clock.now(), job_id)
    )
    if not isinstance(job, Failed):
        flash(f"{job.name} is queued again on '{job.queue}'.", "success")
    return redirect(url_for("admin.list_jobs"))


@bp.get("/admin/webhooks")
@admin_page
def webhook_failures(call: PageCall[PlatformAdmin]) -> str:
    return render_template("admin/webhooks.html", failures=webhooks.failures(call.session))


@bp.get("/admin/<any(devices, reservations, certificates):kind>")
@admin_page
def platform_list(call: PageCall[PlatformAdmin], kind: str) -> str:
    search = request.args.get("q", "").strip()
    page, size = page_args(request.args)
    found = catalog.LISTS[kind](call.session, search or None, page, size)
    return render_template(f"admin/{kind}.html", found=found, search=search, page=page, size=size, kind=kind)


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
    status = request.args.get("status") or None
    if status is not None and status not in outbox.STATES:
        abort(404)
    entries = (
        outbox.entries_in_state(call.session, status) if status else outbox.entries_needing_attention(call.session)
    )
    return render_template(
        "admin/chain_outbox.html",
        entries=entries,
        status=status,
        states=outbox.STATES,
        counts=overview.outbox_counts(call.session),
    )


@bp.post("/admin/chain-outbox/<int:entry_id>/retry")
@admin_page
def retry_chain_outbox_entry(call: PageCall[PlatformAdmin], entry_id: int) -> Response:
    entry = attempt(
        call.session, lambda: outbox.retry_entry(call.session, call.actor, platform.current().clock.now(), entry_id)
    )
    if not isinstance(entry, Failed):
        flash(f"Entry {entry.id} will be tried again now.", "success")
    return redirect(url_for("admin.chain_outbox"))
