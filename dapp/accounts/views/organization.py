"""Pages of the organization (R-ACC-9): its record, members and their permissions, invitations, API keys."""

import uuid
from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dapp import platform
from dapp.access.permissions import Actor, Module, Permission, modules_of
from dapp.accounts.schemas import (
    ApiKeyCreate,
    InvitationCreate,
    OrganizationUpdate,
    WalletBindingCreate,
    WalletChallengeCreate,
    WalletChallengeRead,
)
from dapp.accounts.service import api_keys as keys
from dapp.accounts.service import invitations, members, organization, wallet
from dapp.web.pages import Failed, PageCall, attempt, clean_form, page, parse_form

bp = Blueprint("organization", __name__)

PERMISSIONS = list(Permission)
RIGHTS = {
    "edit_organization": (Module.ORGANIZATION, Permission.UPDATE),
    "edit_members": (Module.USERS, Permission.UPDATE),
    "invite": (Module.USERS, Permission.WRITE),
    "revoke_invitations": (Module.USERS, Permission.DELETE),
    "create_keys": (Module.API_KEYS, Permission.WRITE),
    "revoke_keys": (Module.API_KEYS, Permission.DELETE),
}


def _rights(call: PageCall[Actor]) -> dict[str, bool]:
    """Which forms and buttons the member's permissions allow (the routes check again)."""
    return {name: call.actor.can(module, permission) for name, (module, permission) in RIGHTS.items()}


def _now() -> datetime:
    return platform.current().clock.now()


@bp.get("/organization")
@page(Module.ORGANIZATION, Permission.READ)
def show(call: PageCall[Actor]) -> str:
    return _page(call)


def _page(
    call: PageCall[Actor],
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    challenge: WalletChallengeRead | None = None,
) -> str:
    """The organization page; sections appear for the permissions the member holds."""
    actor = call.actor
    can = actor.can
    return render_template(
        "organization/show.html",
        organization=organization.get_organization(call.session, actor),
        members=members.list_members(call.session, actor) if can(Module.USERS, Permission.READ) else None,
        invitations=invitations.list_invitations(call.session, actor, _now())
        if can(Module.USERS, Permission.READ)
        else None,
        api_keys=keys.list_api_keys(call.session, actor) if can(Module.API_KEYS, Permission.READ) else None,
        actor=actor,
        rights=_rights(call),
        modules=modules_of(actor.organization_type),
        permissions=PERMISSIONS,
        errors=errors or {},
        values=values or {},
        challenge=challenge,
        now=_now(),
    )


@bp.post("/organization")
@page(Module.ORGANIZATION, Permission.UPDATE)
def update(call: PageCall[Actor]) -> str | tuple[str, int] | Response:
    values = clean_form()
    updated = attempt(
        call.session,
        lambda: organization.update_organization(
            call.session, call.actor, _now(), parse_form(OrganizationUpdate, values)
        ),
    )
    if isinstance(updated, Failed):
        return _page(call, updated.field_errors, values), updated.status
    flash("The organization is updated.", "success")
    return redirect(url_for("organization.show"))


@bp.post("/organization/members/<uuid:user_id>/permissions")
@page(Module.USERS, Permission.UPDATE)
def change_permissions(call: PageCall[Actor], user_id: uuid.UUID) -> str | tuple[str, int] | Response:
    member = attempt(
        call.session,
        lambda: members.change_permissions(call.session, call.actor, _now(), user_id, _ticked_permissions()),
    )
    if isinstance(member, Failed):
        return _page(call, member.field_errors), member.status
    flash(f"Permissions of {member.first_name} {member.last_name} are saved.", "success")
    return redirect(url_for("organization.show", _anchor="members"))


def _ticked_permissions() -> dict[str, list[str]]:
    """Checkboxes named `perm:<module>:<PERMISSION>`."""
    requested: dict[str, list[str]] = {}
    for name in request.form:
        if name.startswith("perm:"):
            _, module, permission = name.split(":", 2)
            requested.setdefault(module, []).append(permission)
    return requested


@bp.post("/organization/invitations")
@page(Module.USERS, Permission.WRITE)
def invite(call: PageCall[Actor]) -> str | tuple[str, int] | Response:
    values = clean_form()
    fields = {k: v for k, v in values.items() if not k.startswith("perm:")}
    invitation = attempt(
        call.session,
        lambda: invitations.invite(
            call.session,
            call.actor,
            _now(),
            parse_form(InvitationCreate, {**fields, "permissions": _ticked_permissions()}),
        ),
    )
    if isinstance(invitation, Failed):
        return _page(call, invitation.field_errors, values), invitation.status
    flash(f"Invitation sent to {invitation.email}; it is valid for 7 days.", "success")
    return redirect(url_for("organization.show", _anchor="invitations"))


@bp.post("/organization/invitations/<uuid:invitation_id>/revoke")
@page(Module.USERS, Permission.DELETE)
def revoke_invitation(call: PageCall[Actor], invitation_id: uuid.UUID) -> Response:
    invitation = invitations.revoke(call.session, call.actor, _now(), invitation_id)
    flash(f"The invitation to {invitation.email} is revoked.", "success")
    return redirect(url_for("organization.show", _anchor="invitations"))


@bp.get("/api-keys")
@page(Module.API_KEYS, Permission.READ)
def api_keys(call: PageCall[Actor]) -> str:
    return _api_keys_page(call, None, {})


def _api_keys_page(call: PageCall[Actor], new_key: str | None, errors: dict[str, str]) -> str:
    return render_template(
        "organization/api_keys.html",
        keys=keys.list_api_keys(call.session, call.actor),
        new_key=new_key,
        errors=errors,
        modules=modules_of(call.actor.organization_type),
        permissions=PERMISSIONS,
        actor=call.actor,
        rights=_rights(call),
        now=_now(),
        presets=API_KEY_PRESETS,
    )


# The API key page's presets: what a key for a common job needs, or the grid ("custom"); a key never holds more
# than its creator (the use case checks).
API_KEY_PRESETS: dict[str, tuple[str, dict[str, list[str]] | None]] = {
    "send_reads": ("Send meter reads (a device or gateway)", {"devices": ["READ"], "meter_reads": ["READ", "WRITE"]}),
    "read_only": ("Read-only (dashboards, exports)", None),
    "register_devices": (
        "Register devices and send their reads",
        {"devices": ["READ", "WRITE", "UPDATE"], "bulk_upload": ["READ", "WRITE"], "meter_reads": ["READ", "WRITE"]},
    ),
    "reserve_and_claim": (
        "Reserve devices and claim certificates (buyers)",
        {"reservations": ["READ", "WRITE", "UPDATE"], "certificates": ["READ", "WRITE"]},
    ),
}


def _key_permissions(preset: str) -> dict[str, list[str]] | None:
    """The permissions of the chosen preset, or the ticked grid for "custom" (none ticked: read-only)."""
    if preset in API_KEY_PRESETS:
        return API_KEY_PRESETS[preset][1]
    return _ticked_permissions() or None


@bp.post("/api-keys")
@page(Module.API_KEYS, Permission.WRITE)
def create_api_key(call: PageCall[Actor]) -> str | tuple[str, int]:
    values = clean_form()
    data = {"name": values.get("name", ""), "permissions": _key_permissions(values.get("preset", "custom"))}
    if values.get("expires_at"):
        data["expires_at"] = _utc(values["expires_at"])
    created = attempt(
        call.session, lambda: keys.create_api_key(call.session, call.actor, parse_form(ApiKeyCreate, data), _now())
    )
    if isinstance(created, Failed):
        return _api_keys_page(call, None, created.field_errors), created.status
    _, key = created
    return _api_keys_page(call, key, {})


def _utc(value: str) -> str:
    """A datetime-local input has no offset: the form asks for UTC."""
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return value  # the schema reports it as an invalid datetime
    return (instant if instant.tzinfo else instant.replace(tzinfo=UTC)).isoformat()


@bp.post("/api-keys/<uuid:key_id>/revoke")
@page(Module.API_KEYS, Permission.DELETE)
def revoke_api_key(call: PageCall[Actor], key_id: uuid.UUID) -> Response:
    api_key = keys.revoke_api_key(call.session, call.actor, _now(), key_id)
    flash(f"The API key '{api_key.name}' is revoked; it no longer works.", "success")
    return redirect(url_for("organization.api_keys"))


@bp.post("/api-keys/<uuid:key_id>/adopt")
@page(Module.API_KEYS, Permission.UPDATE)
def adopt_api_key(call: PageCall[Actor], key_id: uuid.UUID) -> Response:
    api_key = keys.adopt_api_key(call.session, call.actor, _now(), key_id)
    flash(f"You adopted the API key '{api_key.name}': it now acts with your permissions.", "success")
    return redirect(url_for("organization.api_keys"))


@bp.post("/organization/wallet-challenges")
@page(Module.ORGANIZATION, Permission.UPDATE)
def request_wallet_challenge(call: PageCall[Actor]) -> str | tuple[str, int]:
    values = clean_form()
    settings = platform.current().settings
    challenge = attempt(
        call.session,
        lambda: wallet.request_challenge(
            call.session,
            call.actor,
            _now(),
            settings.chain_id,
            settings.base_url,
            parse_form(WalletChallengeCreate, values),
        ),
    )
    if isinstance(challenge, Failed):
        return _page(call, challenge.field_errors, values), challenge.status
    return _page(call, challenge=wallet.challenge_read(challenge))


@bp.post("/organization/wallet")
@page(Module.ORGANIZATION, Permission.UPDATE)
def bind_wallet(call: PageCall[Actor]) -> str | tuple[str, int] | Response:
    values = clean_form()
    bound = attempt(
        call.session,
        lambda: wallet.bind_wallet(call.session, call.actor, _now(), parse_form(WalletBindingCreate, values)),
    )
    if isinstance(bound, Failed):
        return _page(call, bound.field_errors, values, _challenge_again(call, values)), bound.status
    flash(f"The wallet {bound.bound_wallet_address} is bound: new reservations send certificates to it.", "success")
    return redirect(url_for("organization.show", _anchor="wallet"))


def _challenge_again(call: PageCall[Actor], values: dict[str, str]) -> WalletChallengeRead | None:
    """The challenge just tried, to sign again, while it can still be used."""
    challenge = wallet.reusable_challenge(call.session, call.actor, values.get("challenge_id", ""), _now())
    return wallet.challenge_read(challenge) if challenge else None


@bp.post("/organization/wallet/unbind")
@page(Module.ORGANIZATION, Permission.UPDATE)
def unbind_wallet(call: PageCall[Actor]) -> Response:
    wallet.unbind_wallet(call.session, call.actor, _now())
    flash("Your wallet is unbound: new reservations send certificates to the platform-managed account.", "success")
    return redirect(url_for("organization.show", _anchor="wallet"))
