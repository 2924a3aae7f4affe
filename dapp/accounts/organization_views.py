"""Pages of the organization (R-ACC-9): its record, members and their permissions, invitations, API keys."""

import uuid
from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dapp import platform
from dapp.accounts import emails, service
from dapp.accounts.permissions import Module, Permission
from dapp.accounts.schemas import (
    ApiKeyCreate,
    InvitationCreate,
    OrganizationUpdate,
    WalletBindingCreate,
    WalletChallengeCreate,
    WalletChallengeRead,
)
from dapp.accounts.service import invitations, members, organization, wallet
from dapp.errors import DomainError
from dapp.web.pages import PageCall, clean_form, form_errors, page, parse_form

bp = Blueprint("organization", __name__)

MODULES = list(Module)
PERMISSIONS = list(Permission)
RIGHTS = {
    "edit_organization": (Module.ORGANIZATION, Permission.UPDATE),
    "edit_members": (Module.USERS, Permission.UPDATE),
    "invite": (Module.USERS, Permission.WRITE),
    "revoke_invitations": (Module.USERS, Permission.DELETE),
    "create_keys": (Module.API_KEYS, Permission.WRITE),
    "revoke_keys": (Module.API_KEYS, Permission.DELETE),
}


def _rights(call: PageCall) -> dict[str, bool]:
    """Which forms and buttons the member's permissions allow (the routes check again)."""
    return {name: call.actor.can(module, permission) for name, (module, permission) in RIGHTS.items()}


def _now() -> datetime:
    return platform.current().clock.now()


@bp.get("/organization")
@page(Module.ORGANIZATION, Permission.READ)
def show(call: PageCall) -> str:
    return _page(call)


def _page(
    call: PageCall,
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
        api_keys=service.list_api_keys(call.session, actor) if can(Module.API_KEYS, Permission.READ) else None,
        actor=actor,
        rights=_rights(call),
        modules=MODULES,
        permissions=PERMISSIONS,
        errors=errors or {},
        values=values or {},
        challenge=challenge,
        now=_now(),
    )


def _form_failed(
    call: PageCall,
    error: DomainError,
    values: dict[str, str] | None = None,
    challenge: WalletChallengeRead | None = None,
) -> tuple[str, int]:
    flash(error.detail, "error")
    return _page(call, form_errors(error), values, challenge), error.status


@bp.post("/organization")
@page(Module.ORGANIZATION, Permission.UPDATE)
def update(call: PageCall) -> str | tuple[str, int] | Response:
    values = clean_form()
    try:
        with call.session.begin_nested():
            organization.update_organization(call.session, call.actor, _now(), parse_form(OrganizationUpdate, values))
    except DomainError as error:
        return _form_failed(call, error, values)
    flash("The organization is updated.", "success")
    return redirect(url_for("organization.show"))


@bp.post("/organization/members/<uuid:user_id>/permissions")
@page(Module.USERS, Permission.UPDATE)
def change_permissions(call: PageCall, user_id: uuid.UUID) -> str | tuple[str, int] | Response:
    try:
        with call.session.begin_nested():
            member = members.change_permissions(call.session, call.actor, _now(), user_id, _ticked_permissions())
    except DomainError as error:
        return _form_failed(call, error)
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
def invite(call: PageCall) -> str | tuple[str, int] | Response:
    values = clean_form()
    fields = {k: v for k, v in values.items() if not k.startswith("perm:")}
    try:
        with call.session.begin_nested():
            sent = invitations.invite(
                call.session,
                call.actor,
                _now(),
                parse_form(InvitationCreate, {**fields, "permissions": _ticked_permissions()}),
            )
    except DomainError as error:
        return _form_failed(call, error, values)
    call.after_commit.append(lambda: emails.send_invitation(sent))
    flash(f"Invitation sent to {sent.invitation.email}; it is valid for 7 days.", "success")
    return redirect(url_for("organization.show", _anchor="invitations"))


@bp.post("/organization/invitations/<uuid:invitation_id>/revoke")
@page(Module.USERS, Permission.DELETE)
def revoke_invitation(call: PageCall, invitation_id: uuid.UUID) -> Response:
    invitation = invitations.revoke(call.session, call.actor, _now(), invitation_id)
    flash(f"The invitation to {invitation.email} is revoked.", "success")
    return redirect(url_for("organization.show", _anchor="invitations"))


@bp.get("/api-keys")
@page(Module.API_KEYS, Permission.READ)
def api_keys(call: PageCall) -> str:
    return _api_keys_page(call, None, {})


def _api_keys_page(call: PageCall, new_key: str | None, errors: dict[str, str]) -> str:
    return render_template(
        "organization/api_keys.html",
        keys=service.list_api_keys(call.session, call.actor),
        new_key=new_key,
        errors=errors,
        modules=MODULES,
        permissions=PERMISSIONS,
        actor=call.actor,
        rights=_rights(call),
        now=_now(),
    )


@bp.post("/api-keys")
@page(Module.API_KEYS, Permission.WRITE)
def create_api_key(call: PageCall) -> str | tuple[str, int]:
    values = clean_form()
    data = {"name": values.get("name", ""), "permissions": _ticked_permissions() or None}
    if values.get("expires_at"):
        data["expires_at"] = _utc(values["expires_at"])
    try:
        with call.session.begin_nested():
            _, key = service.create_api_key(call.session, call.actor, parse_form(ApiKeyCreate, data), _now())
    except DomainError as error:
        flash(error.detail, "error")
        return _api_keys_page(call, None, form_errors(error)), error.status
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
def revoke_api_key(call: PageCall, key_id: uuid.UUID) -> Response:
    api_key = service.revoke_api_key(call.session, call.actor, _now(), key_id)
    flash(f"The API key '{api_key.name}' is revoked; it no longer works.", "success")
    return redirect(url_for("organization.api_keys"))


@bp.post("/organization/wallet-challenges")
@page(Module.ORGANIZATION, Permission.UPDATE)
def request_wallet_challenge(call: PageCall) -> str | tuple[str, int]:
    values = clean_form()
    settings = platform.current().settings
    try:
        with call.session.begin_nested():
            data = parse_form(WalletChallengeCreate, values)
            challenge = wallet.request_challenge(
                call.session, call.actor, _now(), settings.chain_id, settings.base_url, data
            )
    except DomainError as error:
        return _form_failed(call, error, values)
    return _page(call, challenge=wallet.challenge_read(challenge))


@bp.post("/organization/wallet")
@page(Module.ORGANIZATION, Permission.UPDATE)
def bind_wallet(call: PageCall) -> str | tuple[str, int] | Response:
    values = clean_form()
    try:
        with call.session.begin_nested():
            bound = wallet.bind_wallet(call.session, call.actor, _now(), parse_form(WalletBindingCreate, values))
    except DomainError as error:
        return _form_failed(call, error, values, _challenge_again(call, values))
    flash(f"The wallet {bound.bound_wallet_address} is bound: new reservations send certificates to it.", "success")
    return redirect(url_for("organization.show", _anchor="wallet"))


def _challenge_again(call: PageCall, values: dict[str, str]) -> WalletChallengeRead | None:
    """The challenge just tried, to sign again, while it can still be used."""
    challenge = wallet.reusable_challenge(call.session, call.actor, values.get("challenge_id", ""), _now())
    return wallet.challenge_read(challenge) if challenge else None


@bp.post("/organization/wallet/unbind")
@page(Module.ORGANIZATION, Permission.UPDATE)
def unbind_wallet(call: PageCall) -> Response:
    wallet.unbind_wallet(call.session, call.actor, _now())
    flash("Your wallet is unbound: new reservations send certificates to the platform-managed account.", "success")
    return redirect(url_for("organization.show", _anchor="wallet"))
