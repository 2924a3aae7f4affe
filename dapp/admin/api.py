"""/api/v1/admin routes: platform admins list and disable/enable organizations and users (R-ACC-7)."""

import uuid

from flask import request
from pydantic import BaseModel, ConfigDict, ValidationError

from dapp.admin.errors import (
    OrganizationNotFound,
    OutboxEntryDone,
    OutboxEntryInFlight,
    OutboxEntryNotFound,
    OwnAccountLocked,
    UserNotFound,
)
from dapp.admin.schemas import OrganizationSummary, OutboxEntryRead, UserSummary
from dapp.admin.service import accounts, outbox
from dapp.errors import Invalid, field_error
from dapp.web.api import AdminCall, ApiBlueprint

api = ApiBlueprint("admin_api", __name__)


class UserFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization_id: uuid.UUID | None = None


@api.admin_route("/admin/organizations", "GET")
def list_organizations(call: AdminCall[None]) -> list[dict[str, object]]:
    """Every organization with its member count and whether it is disabled."""
    return [org.model_dump(mode="json") for org in accounts.list_organizations(call.session)]


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


@api.admin_route("/admin/chain-outbox", "GET")
def list_chain_outbox(call: AdminCall[None]) -> list[dict[str, object]]:
    """Chain-outbox entries that failed, back off after a failed try, or wait for their receipt (oldest 500)."""
    return [entry.model_dump(mode="json") for entry in outbox.entries_needing_attention(call.session)]


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
