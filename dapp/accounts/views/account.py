"""Pages of people: sign-up, email links, sign-in/out, password reset, invitation answers, own account."""

import uuid
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from dapp import platform
from dapp.access.permissions import Actor, Person, PlatformAdmin, names
from dapp.access.sessions import end_session_of_token, start_session
from dapp.accounts.schemas import (
    Anonymisation,
    EmailOnly,
    InvitationAcceptance,
    PasswordChange,
    PasswordReset,
    RegistrationCreate,
)
from dapp.accounts.service import api_keys, credentials, invitations, personal_data, registration, sessions, sign_in
from dapp.accounts.throttle import LoginThrottle
from dapp.db import after_commit
from dapp.errors import Invalid, Unauthenticated
from dapp.models.accounts import OrganizationType, User
from dapp.web.api import json_response
from dapp.web.client import client_address
from dapp.web.login import current_session_token, session_user
from dapp.web.pages import Failed, PageCall, account_page, attempt, clean_form, form_errors, parse_form, public_page
from dapp.web.redirects import same_origin_path

bp = Blueprint("accounts", __name__)

LINK_SENT = "If an account can use it, we sent a link to {email}. Check your inbox."


@bp.app_template_filter("permission_names")
def permission_names(bits: int) -> list[str]:
    return names(bits)


def _now() -> datetime:
    return platform.current().clock.now()


@bp.get("/")
def home() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for(current_user.landing_endpoint))
    return redirect(url_for("accounts.login"))


@bp.route("/register", methods=["GET", "POST"])
@public_page
def register(call: PageCall[Actor | PlatformAdmin | None]) -> str | tuple[str, int] | Response:
    if request.method == "GET":
        return render_template("accounts/register.html", values={}, errors={}, types=list(OrganizationType))
    values = clean_form()
    p = platform.current()
    user = attempt(
        call.session,
        lambda: registration.register(
            call.session, _now(), p.redis, p.settings.secret_key, parse_form(RegistrationCreate, values)
        ),
    )
    if isinstance(user, Failed):
        return render_template(
            "accounts/register.html", values=values, errors=user.field_errors, types=list(OrganizationType)
        ), user.status
    flash(f"We sent a confirmation link to {values.get('email', '')}. Follow it, then sign in.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/confirm-email", methods=["GET", "POST"])
@public_page
def confirm_email(call: PageCall[Actor | PlatformAdmin | None]) -> str | tuple[str, int] | Response:
    token = request.values.get("token", "")
    if request.method == "GET":
        return render_template("accounts/confirm_email.html", token=token)
    confirmed = attempt(call.session, lambda: registration.confirm_email(call.session, _now(), token))
    if isinstance(confirmed, Failed):
        return render_template("accounts/confirm_email.html", token=token), confirmed.status
    flash("Your email address is confirmed. You can sign in now.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/confirm-email/resend", methods=["GET", "POST"])
@public_page
def resend_confirmation(call: PageCall[Actor | PlatformAdmin | None]) -> str | tuple[str, int] | Response:
    return _email_link_form(
        call,
        "accounts/resend_confirmation.html",
        lambda session, now, email: registration.resend_confirmation(session, now, platform.current().redis, email),
    )


@bp.route("/forgot-password", methods=["GET", "POST"])
@public_page
def forgot_password(call: PageCall[Actor | PlatformAdmin | None]) -> str | tuple[str, int] | Response:
    return _email_link_form(
        call,
        "accounts/forgot_password.html",
        lambda session, now, email: credentials.request_password_reset(session, now, platform.current().redis, email),
    )


def _email_link_form(
    call: PageCall[Actor | PlatformAdmin | None],
    template: str,
    ask: Callable[[Session, datetime, str], None],
) -> str | tuple[str, int] | Response:
    """Ask for an email and send it a link; the answer never tells whether the address is registered."""
    if request.method == "GET":
        return render_template(template, values={}, errors={})
    values = clean_form()
    # Only the address can be refused, at its field: asking for the link never fails, so that the answer is the
    # same whether or not the address is registered.
    try:
        data = parse_form(EmailOnly, values)
    except Invalid as error:
        return render_template(template, values=values, errors=form_errors(error)), error.status
    ask(call.session, _now(), data.email)
    flash(LINK_SENT.format(email=data.email), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/reset-password", methods=["GET", "POST"])
@public_page
def reset_password(call: PageCall[Actor | PlatformAdmin | None]) -> str | tuple[str, int] | Response:
    token = request.values.get("token", "")
    if request.method == "GET":
        return render_template("accounts/reset_password.html", token=token, errors={})
    values = {**clean_form(), "token": token}
    reset = attempt(
        call.session, lambda: credentials.reset_password(call.session, _now(), parse_form(PasswordReset, values))
    )
    if isinstance(reset, Failed):
        return render_template("accounts/reset_password.html", token=token, errors=reset.field_errors), reset.status
    flash("Your password is changed. Sign in with the new one.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/login", methods=["GET", "POST"])
@public_page
def login(call: PageCall[Actor | PlatformAdmin | None]) -> str | tuple[str, int] | Response:
    if request.method == "GET":
        return render_template("accounts/login.html", email="")
    email = request.form.get("email", "")
    now = _now()
    address = client_address(request, platform.current().settings.trusted_proxies)
    throttle = LoginThrottle(platform.current().redis, now)
    user = attempt(
        call.session,
        lambda: sign_in.sign_in(call.session, now, throttle, email, request.form.get("password", ""), address),
    )
    if isinstance(user, Failed):
        if isinstance(user.error, Unauthenticated):
            sign_in.record_failed_sign_in(call.session, now, email, address, user.error.code)
        return render_template("accounts/login.html", email=email, code=user.error.code), user.status
    token = start_session(call.session, user, now, address, request.user_agent.string)
    identity = session_user(call.session, user, token)
    after_commit(call.session, lambda: login_user(identity))  # signed in only once the session is stored
    return redirect(same_origin_path(request.args.get("next", "")) or url_for(identity.landing_endpoint))


@bp.post("/logout")
def logout() -> Response:
    token = current_session_token()
    if token is not None:
        with platform.current().db.unit_of_work() as session:
            end_session_of_token(session, token, _now())
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/invitations/respond", methods=["GET", "POST"])
@public_page
def respond_to_invitation(call: PageCall[Actor | PlatformAdmin | None]) -> tuple[str, int] | Response:
    """The invitee's page: choose a password and accept, or decline."""
    token = request.values.get("token", "")
    if request.method == "GET":
        return _invitation_page(call, token, {}, 200)
    if request.form.get("answer") == "reject":
        return _decline_invitation(call, token)
    fields = _acceptance_fields(token)
    accepted = attempt(
        call.session, lambda: invitations.accept(call.session, _now(), parse_form(InvitationAcceptance, fields))
    )
    if isinstance(accepted, Failed):
        return _invitation_page(call, token, accepted.field_errors, accepted.status)
    flash("Welcome! Your account is ready: sign in with your email and the password you chose.", "success")
    return redirect(url_for("accounts.login"))


def _decline_invitation(call: PageCall[Actor | PlatformAdmin | None], token: str) -> tuple[str, int] | Response:
    declined = attempt(call.session, lambda: invitations.reject(call.session, _now(), token))
    if isinstance(declined, Failed):
        return _unusable_invitation(token, declined)
    flash("You declined the invitation. No account was created.", "info")
    return redirect(url_for("accounts.login"))


def _invitation_page(
    call: PageCall[Actor | PlatformAdmin | None], token: str, errors: dict[str, str], status: int
) -> tuple[str, int]:
    preview = attempt(call.session, lambda: invitations.preview(call.session, _now(), token))
    if isinstance(preview, Failed):
        return _unusable_invitation(token, preview)
    invitation, organization_name = preview
    return render_template(
        "accounts/invitation.html",
        invitation=invitation,
        organization_name=organization_name,
        token=token,
        errors=errors,
    ), status


def _unusable_invitation(token: str, failed: Failed) -> tuple[str, int]:
    return render_template("accounts/invitation.html", invitation=None, token=token, errors={}), failed.status


def _acceptance_fields(token: str) -> dict[str, str]:
    form = clean_form()
    return {"token": token, **{name: form.get(name, "") for name in ("password", "password_confirmation")}}


@bp.get("/account")
@account_page
def account(call: PageCall[Person]) -> str:
    return _account_page(call, {})


def _account_page(call: PageCall[Person], errors: dict[str, str]) -> str:
    data = personal_data.export(call.session, _now(), call.actor.user_id)
    stopping = api_keys.keys_made_by(call.session, call.session.get_one(User, call.actor.user_id), _now())
    return render_template(
        "accounts/account.html",
        profile=data.profile,
        organization=data.organization,
        errors=errors,
        stopping_keys=stopping,
    )


@bp.post("/account/password")
@account_page
def change_password(call: PageCall[Person]) -> str | tuple[str, int] | Response:
    user = attempt(
        call.session,
        lambda: credentials.change_password(
            call.session, _now(), call.actor.user_id, parse_form(PasswordChange, clean_form()), current_session_token()
        ),
    )
    if isinstance(user, Failed):
        return _account_page(call, user.field_errors), user.status
    flash("Your password is changed. Your other sessions are signed out.", "success")
    return redirect(url_for("accounts.account"))


@bp.get("/account/personal-data.json")
@account_page
def download_personal_data(call: PageCall[Person]) -> Response:
    data = personal_data.export(call.session, _now(), call.actor.user_id)
    response = json_response(data.model_dump(mode="json"))
    response.headers["Content-Disposition"] = 'attachment; filename="drec-personal-data.json"'
    return response


@bp.post("/account/delete")
@account_page
def delete_account(call: PageCall[Person]) -> str | tuple[str, int] | Response:
    deleted = attempt(
        call.session,
        lambda: personal_data.anonymise(
            call.session, _now(), call.actor.user_id, parse_form(Anonymisation, clean_form())
        ),
    )
    if isinstance(deleted, Failed):
        return _account_page(call, deleted.field_errors), deleted.status
    logout_user()
    flash("Your personal data is deleted and your account is closed.", "info")
    return redirect(url_for("accounts.login"))


@bp.get("/account/sessions")
@account_page
def list_sessions(call: PageCall[Person]) -> str:
    """The person's signed-in sessions, with a way to end each or all of them."""
    rows = sessions.list_sessions(call.session, call.actor, _now(), current_session_token())
    return render_template("accounts/sessions.html", sessions=rows)


@bp.post("/account/sessions/<uuid:session_id>/end")
@account_page
def end_session(call: PageCall[Person], session_id: uuid.UUID) -> Response:
    sessions.end_session(call.session, call.actor, _now(), session_id)
    flash("That session is signed out.", "success")
    return redirect(url_for("accounts.list_sessions"))


@bp.post("/account/sessions/end-all")
@account_page
def sign_out_everywhere(call: PageCall[Person]) -> Response:
    ended = sessions.sign_out_everywhere(call.session, call.actor, _now())
    after_commit(call.session, logout_user)
    flash(f"You are signed out everywhere ({ended} session{'s' if ended != 1 else ''}).", "info")
    return redirect(url_for("accounts.login"))
