"""/api/v1/admin routes: platform admins list and disable/enable organizations and users (R-ACC-7)."""

import uuid

from flask import request
from pydantic import BaseModel, ValidationError

from dapp.accounts.permissions import PlatformAdmin
from dapp.admin import outbox, service
from dapp.admin.schemas import OrganizationSummary, OutboxEntryRead, UserSummary
from dapp.chain.jobs import enqueue_submit
from dapp.errors import field_error
from dapp.web.api import ApiBlueprint, Call

api = ApiBlueprint("admin_api", __name__)


class UserFilter(BaseModel):
    organization_id: uuid.UUID | None = None


def _admin(call: Call) -> PlatformAdmin:
    assert isinstance(call.actor, PlatformAdmin)  # the route's access rule guarantees it
    return call.actor


@api.endpoint_route("/admin/organizations", "GET", platform_admin=True)
def list_organizations(call: Call) -> list[dict[str, object]]:
    """Every organization with its member count and whether it is disabled."""
    return [org.model_dump(mode="json") for org in service.list_organizations(call.session)]


@api.endpoint_route("/admin/users", "GET", platform_admin=True)
def list_users(call: Call) -> list[dict[str, object]]:
    """Every user (optionally of one organization: `?organization_id=`)."""
    try:
        query = UserFilter.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise field_error("organization_id", "organization_id must be a UUID.") from error
    return [user.model_dump(mode="json") for user in service.list_users(call.session, query.organization_id)]


def _organization(call: Call, organization_id: uuid.UUID, disabled: bool) -> OrganizationSummary:
    org = service.set_organization_disabled(call.session, _admin(call), call.now, organization_id, disabled)
    return next(s for s in service.list_organizations(call.session) if s.id == org.id)


@api.endpoint_route(
    "/admin/organizations/<uuid:organization_id>/disable",
    "POST",
    platform_admin=True,
    response=OrganizationSummary,
)
def disable_organization(call: Call, organization_id: uuid.UUID) -> OrganizationSummary:
    """Disable an organization: its members and API keys can no longer authenticate."""
    return _organization(call, organization_id, True)


@api.endpoint_route(
    "/admin/organizations/<uuid:organization_id>/enable", "POST", platform_admin=True, response=OrganizationSummary
)
def enable_organization(call: Call, organization_id: uuid.UUID) -> OrganizationSummary:
    """Enable a disabled organization again."""
    return _organization(call, organization_id, False)


def _user(call: Call, user_id: uuid.UUID, disabled: bool) -> UserSummary:
    user = service.set_user_disabled(call.session, _admin(call), call.now, user_id, disabled)
    return service.user_summary(user, user.organization.name if user.organization else None)


@api.endpoint_route("/admin/users/<uuid:user_id>/disable", "POST", platform_admin=True, response=UserSummary)
def disable_user(call: Call, user_id: uuid.UUID) -> UserSummary:
    """Disable a user: their sessions and the API keys they created stop working."""
    return _user(call, user_id, True)


@api.endpoint_route("/admin/users/<uuid:user_id>/enable", "POST", platform_admin=True, response=UserSummary)
def enable_user(call: Call, user_id: uuid.UUID) -> UserSummary:
    """Enable a disabled user again."""
    return _user(call, user_id, False)


@api.endpoint_route("/admin/chain-outbox", "GET", platform_admin=True)
def list_chain_outbox(call: Call) -> list[dict[str, object]]:
    """Chain-outbox entries that failed, back off after a failed try, or wait for their receipt (oldest 500)."""
    return [entry.model_dump(mode="json") for entry in outbox.entries_needing_attention(call.session)]


@api.endpoint_route("/admin/chain-outbox/<int:entry_id>/retry", "POST", platform_admin=True, response=OutboxEntryRead)
def retry_chain_outbox_entry(call: Call, entry_id: int) -> OutboxEntryRead:
    """Retry a failed or backing-off entry now, with a fresh budget of attempts (409 if its transaction is in
    flight); the chain job is enqueued."""
    entry = outbox.retry_entry(call.session, _admin(call), call.now, entry_id)
    call.after_commit.append(enqueue_submit)
    return entry
