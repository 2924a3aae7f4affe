"""/api/v1/admin routes: platform admins list and disable/enable organizations and users (R-ACC-7)."""

import uuid
from typing import Any

from flask import request
from pydantic import BaseModel, ConfigDict, ValidationError

from dapp import platform
from dapp.admin.errors import (
    JobNotFailed,
    OrganizationNotFound,
    OutboxEntryDone,
    OutboxEntryInFlight,
    OutboxEntryNotFound,
    OwnAccountLocked,
    UserNotFound,
)
from dapp.admin.schemas import (
    AdminCertificatePage,
    AdminDevicePage,
    AdminListQuery,
    AdminReservationPage,
    JobRead,
    JobsRead,
    OrganizationSummary,
    OutboxEntryRead,
    OutboxQuery,
    SearchQuery,
    UserSummary,
)
from dapp.admin.service import accounts, jobs, outbox, webhooks
from dapp.admin.service.catalog import LISTS
from dapp.errors import Invalid, field_error
from dapp.platform import QUEUE_NAMES
from dapp.web.api import AdminCall, ApiBlueprint
from dapp.web.paging import page_args

api = ApiBlueprint("admin_api", __name__)


class UserFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization_id: uuid.UUID | None = None


@api.admin_route("/admin/organizations", "GET", query=SearchQuery)
def list_organizations(call: AdminCall[None]) -> list[dict[str, object]]:
    """Every organization with its member count and whether it is disabled (`?q=` words of its name or address)."""
    search = request.args.get("q", "").strip() or None
    return [org.model_dump(mode="json") for org in accounts.list_organizations(call.session, search)]


def _found(kind: str, call: AdminCall[None]) -> dict[str, Any]:
    """A page of one platform-wide list, searched by `?q=`, each row with its organization's name."""
    page, size = page_args(request.args)
    found = LISTS[kind](call.session, request.args.get("q", "").strip() or None, page, size)
    items = [{**_columns(row), "organization_name": name} for row, name, *_ in found.rows]
    return {"items": items, "page": page, "size": size, "total": found.total}


def _columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


@api.admin_route("/admin/devices", "GET", query=AdminListQuery, response=AdminDevicePage, errors=(Invalid,))
def list_all_devices(call: AdminCall[None]) -> dict[str, Any]:
    """Every organization's devices, newest first; `?q=` words of external id, project, country or organization."""
    return _found("devices", call)


@api.admin_route("/admin/reservations", "GET", query=AdminListQuery, response=AdminReservationPage, errors=(Invalid,))
def list_all_reservations(call: AdminCall[None]) -> dict[str, Any]:
    """Every buyer's reservations, newest first; `?q=` words of name, wallet or organization."""
    return _found("reservations", call)


@api.admin_route("/admin/certificates", "GET", query=AdminListQuery, response=AdminCertificatePage, errors=(Invalid,))
def list_all_certificates(call: AdminCall[None]) -> dict[str, Any]:
    """Every certificate, newest window first; `?q=` words of token id, country, status or organization."""
    return _found("certificates", call)


@api.admin_route("/admin/users", "GET", query=UserFilter, errors=(Invalid,))
def list_users(call: AdminCall[None]) -> list[dict[str, object]]:
    """Every user (optionally of one organization: `?organization_id=`)."""
    try:
        query = UserFilter.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise field_error("organization_id", "organization_id must be a UUID.") from error
    return [user.model_dump(mode="json") for user in accounts.list_users(call.session, query.organization_id)]


def _organization(call: AdminCall[None], organization_id: uuid.UUID, disabled: bool) -> OrganizationSummary:
    org = accounts.set_organization_disabled(call.session, call.actor, call.now, organization_id, disabled)
    return next(s for s in accounts.list_organizations(call.session) if s.id == org.id)


@api.admin_route(
    "/admin/organizations/<uuid:organization_id>/disable",
    "POST",
    response=OrganizationSummary,
    errors=(OrganizationNotFound,),
)
def disable_organization(call: AdminCall[None], organization_id: uuid.UUID) -> OrganizationSummary:
    """Disable an organization: its members and API keys can no longer authenticate."""
    return _organization(call, organization_id, True)


@api.admin_route(
    "/admin/organizations/<uuid:organization_id>/enable",
    "POST",
    response=OrganizationSummary,
    errors=(OrganizationNotFound,),
)
def enable_organization(call: AdminCall[None], organization_id: uuid.UUID) -> OrganizationSummary:
    """Enable a disabled organization again."""
    return _organization(call, organization_id, False)


def _user(call: AdminCall[None], user_id: uuid.UUID, disabled: bool) -> UserSummary:
    user = accounts.set_user_disabled(call.session, call.actor, call.now, user_id, disabled)
    return accounts.user_summary(user, user.organization.name if user.organization else None)


@api.admin_route(
    "/admin/users/<uuid:user_id>/disable",
    "POST",
    response=UserSummary,
    errors=(OwnAccountLocked, UserNotFound),
)
def disable_user(call: AdminCall[None], user_id: uuid.UUID) -> UserSummary:
    """Disable a user: their sessions and the API keys they created stop working."""
    return _user(call, user_id, True)


@api.admin_route(
    "/admin/users/<uuid:user_id>/enable",
    "POST",
    response=UserSummary,
    errors=(OwnAccountLocked, UserNotFound),
)
def enable_user(call: AdminCall[None], user_id: uuid.UUID) -> UserSummary:
    """Enable a disabled user again."""
    return _user(call, user_id, False)


@api.admin_route("/admin/chain-outbox", "GET", query=OutboxQuery, errors=(Invalid,))
def list_chain_outbox(call: AdminCall[None]) -> list[dict[str, object]]:
    """Chain-outbox entries that failed, back off after a failed try, or wait for their receipt (oldest 500); with
    `?status=pending|sent|done|failed`, the newest 500 entries in that state."""
    status = request.args.get("status") or None
    if status is None:
        entries = outbox.entries_needing_attention(call.session)
    elif status in outbox.STATES:
        entries = outbox.entries_in_state(call.session, status)
    else:
        raise field_error("status", f"status is one of {', '.join(outbox.STATES)}.")
    return [entry.model_dump(mode="json") for entry in entries]


@api.admin_route("/admin/jobs", "GET", response=JobsRead)
def list_jobs(call: AdminCall[None]) -> JobsRead:  # noqa: ARG001 - the jobs live in Redis
    """Every queue's depth, the jobs running now, and the failed ones with their tracebacks (R-ACC-7)."""
    redis = platform.current().redis
    return JobsRead(
        queues=jobs.queues(redis, QUEUE_NAMES),
        running=jobs.running(redis, QUEUE_NAMES),
        failed=jobs.failed(redis, QUEUE_NAMES),
    )


@api.admin_route("/admin/jobs/<job_id>/retry", "POST", response=JobRead, errors=(JobNotFailed,))
def retry_job(call: AdminCall[None], job_id: str) -> JobRead:
    """Put a failed job back on its queue."""
    return jobs.retry(call.session, platform.current().redis, QUEUE_NAMES, call.actor, call.now, job_id)


@api.admin_route("/admin/webhook-failures", "GET")
def list_webhook_failures(call: AdminCall[None]) -> list[dict[str, object]]:
    """Webhook deliveries of every organization that gave up or retry after a failed try (newest 200)."""
    return [failure.model_dump(mode="json") for failure in webhooks.failures(call.session)]


@api.admin_route(
    "/admin/chain-outbox/<int:entry_id>/retry",
    "POST",
    response=OutboxEntryRead,
    errors=(OutboxEntryDone, OutboxEntryInFlight, OutboxEntryNotFound),
)
def retry_chain_outbox_entry(call: AdminCall[None], entry_id: int) -> OutboxEntryRead:
    """Retry a failed or backing-off entry now, with a fresh budget of attempts (409 if its transaction is in
    flight); the chain job is enqueued."""
    return outbox.retry_entry(call.session, call.actor, call.now, entry_id)
