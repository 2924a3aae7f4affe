"""Pages of people: sign-up, email links, sign-in/out, password reset, invitation answers, own account."""

from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from dapp import platform
from dapp.accounts import emails, service
from dapp.accounts.models import OrganizationType
from dapp.accounts.permissions import names
from dapp.accounts.schemas import (
    Anonymisation,
    EmailOnly,
    InvitationAcceptance,
    PasswordChange,
    PasswordReset,
    RegistrationCreate,
)
from dapp.accounts.service import credentials, invitations, personal_data
from dapp.accounts.throttle import LoginThrottle
from dapp.errors import DomainError, Unauthenticated
from dapp.web.api import json_response
from dapp.web.login import session_user
from dapp.web.pages import PageCall, account_page, clean_form, form_errors, parse_form

bp = Blueprint("accounts", __name__)

LINK_SENT = "If an account can use it, we sent a link to {email}. Check your inbox."


@bp.app_template_filter("permission_names")
def permission_names(bits: int) -> list[str]:
    return names(bits)


@bp.get("/")
def home() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for(current_user.landing_endpoint))
    return redirect(url_for("accounts.login"))


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | tuple[str, int] | Response:
    if request.method == "GET":
        return render_template("accounts/register.html", values={}, errors={}, types=list(OrganizationType))
    values = clean_form()
    p = platform.current()
    try:
        with p.db.unit_of_work() as session:
            user, token = service.register(
                session, p.clock.now(), p.settings.secret_key, parse_form(RegistrationCreate, values)
            )
            email = user.email
    except DomainError as error:
        flash(error.detail, "error")
        return render_template(
            "accounts/register.html", values=values, errors=form_errors(error), types=list(OrganizationType)
        ), error.status
    emails.send_confirmation(email, token)
    flash(f"We sent a confirmation link to {email}. Follow it, then sign in.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/confirm-email", methods=["GET", "POST"])
def confirm_email() -> str | tuple[str, int] | Response:
    token = request.values.get("token", "")
    if request.method == "GET":
        return render_template("accounts/confirm_email.html", token=token)
    p = platform.current()
    try:
        with p.db.unit_of_work() as session:
            service.confirm_email(session, p.clock.now(), token)
    except DomainError as error:
        flash(error.detail, "error")
        return render_template("accounts/confirm_email.html", token=token), error.status
    flash("Your email address is confirmed. You can sign in now.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/confirm-email/resend", methods=["GET", "POST"])
def resend_confirmation() -> str | tuple[str, int] | Response:
    return _email_link_form(
        "accounts/resend_confirmation.html",
        lambda session, now, email: service.resend_confirmation(session, now, platform.current().redis, email),
        emails.send_confirmation,
    )


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> str | tuple[str, int] | Response:
    return _email_link_form(
        "accounts/forgot_password.html",
        lambda session, now, email: credentials.request_password_reset(session, now, platform.current().redis, email),
        emails.send_password_reset,
    )


def _email_link_form(
    template: str,
    issue: Callable[[Session, datetime, str], tuple[str, str] | None],
    send: Callable[[str, str], None],
) -> str | tuple[str, int] | Response:
    """Ask for an email and send it a link; the answer never tells whether the address is registered."""
    if request.method == "GET":
        return render_template(template, values={}, errors={})
    values = clean_form()
    p = platform.current()
    try:
        data = parse_form(EmailOnly, values)
        with p.db.unit_of_work() as session:
            sent = issue(session, p.clock.now(), data.email)
    except DomainError as error:
        return render_template(template, values=values, errors=form_errors(error)), error.status
    if sent is not None:
        send(*sent)
    flash(LINK_SENT.format(email=data.email), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password() -> str | tuple[str, int] | Response:
    token = request.values.get("token", "")
    if request.method == "GET":
        return render_template("accounts/reset_password.html", token=token, errors={})
    p = platform.current()
    try:
        data = parse_form(PasswordReset, {**clean_form(), "token": token})
        with p.db.unit_of_work() as session:
            credentials.reset_password(session, p.clock.now(), data)
    except DomainError as error:
        flash(error.detail, "error")
        return render_template("accounts/reset_password.html", token=token, errors=form_errors(error)), error.status
    flash("Your password is changed. Sign in with the new one.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | tuple[str, int] | Response:
    if request.method == "GET":
        return render_template("accounts/login.html", email="")
    email = request.form.get("email", "")
    p = platform.current()
    now = p.clock.now()
    address = request.remote_addr or "unknown"
    try:
        with p.db.unit_of_work() as session:
            user = service.sign_in(
                session, now, LoginThrottle(p.redis, now), email, request.form.get("password", ""), address
            )
            identity = session_user(session, user)
    except DomainError as error:
        if isinstance(error, Unauthenticated):
            with p.db.unit_of_work() as session:
                service.record_failed_sign_in(session, now, email, address, error.code)
        flash(error.detail, "error")
        return render_template("accounts/login.html", email=email, code=error.code), error.status
    login_user(identity)
    return redirect(_safe_next() or url_for(identity.landing_endpoint))


def _safe_next() -> str | None:
    target = request.args.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else None


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/invitations/respond", methods=["GET", "POST"])
def respond_to_invitation() -> str | tuple[str, int] | Response:
    """The invitee's page: choose a password and accept, or decline."""
    token = request.values.get("token", "")
    try:
        if request.method == "POST":
            return _answer_invitation(token)
        return _invitation_page(token, {})
    except DomainError as error:
        flash(error.detail, "error")
        return render_template("accounts/invitation.html", invitation=None, token=token, errors={}), error.status


def _invitation_page(token: str, errors: dict[str, str]) -> str:
    p = platform.current()
    with p.db.unit_of_work() as session:
        invitation, organization_name = invitations.preview(session, p.clock.now(), token)
        return render_template(
            "accounts/invitation.html",
            invitation=invitation,
            organization_name=organization_name,
            token=token,
            errors=errors,
        )


def _answer_invitation(token: str) -> str | tuple[str, int] | Response:
    p = platform.current()
    if request.form.get("answer") == "reject":
        with p.db.unit_of_work() as session:
            invitations.reject(session, p.clock.now(), token)
        flash("You declined the invitation. No account was created.", "info")
        return redirect(url_for("accounts.login"))
    try:
        with p.db.unit_of_work() as session:
            invitations.accept(session, p.clock.now(), parse_form(InvitationAcceptance, _acceptance_fields(token)))
    except DomainError as error:
        flash(error.detail, "error")
        return _invitation_page(token, form_errors(error)), error.status
    flash("Welcome! Your account is ready: sign in with your email and the password you chose.", "success")
    return redirect(url_for("accounts.login"))


def _acceptance_fields(token: str) -> dict[str, str]:
    form = clean_form()
    return {"token": token, **{name: form.get(name, "") for name in ("password", "password_confirmation")}}


@bp.get("/account")
@account_page
def account(call: PageCall) -> str:
    return _account_page(call, {})


def _account_page(call: PageCall, errors: dict[str, str]) -> str:
    data = personal_data.export(call.session, platform.current().clock.now(), call.actor.user_id)
    return render_template("accounts/account.html", profile=data.profile, organization=data.organization, errors=errors)


@bp.post("/account/password")
@account_page
def change_password(call: PageCall) -> str | tuple[str, int] | Response:
    try:
        with call.session.begin_nested():
            user = credentials.change_password(
                call.session,
                platform.current().clock.now(),
                call.actor.user_id,
                parse_form(PasswordChange, clean_form()),
            )
            identity = session_user(call.session, user)
    except DomainError as error:
        flash(error.detail, "error")
        return _account_page(call, form_errors(error)), error.status
    login_user(identity)  # the new password ends every other session, not this one
    flash("Your password is changed. Your other sessions are signed out.", "success")
    return redirect(url_for("accounts.account"))


@bp.get("/account/personal-data.json")
@account_page
def download_personal_data(call: PageCall) -> Response:
    data = personal_data.export(call.session, platform.current().clock.now(), call.actor.user_id)
    response = json_response(data.model_dump(mode="json"))
    response.headers["Content-Disposition"] = 'attachment; filename="drec-personal-data.json"'
    return response


@bp.post("/account/delete")
@account_page
def delete_account(call: PageCall) -> str | tuple[str, int] | Response:
    try:
        with call.session.begin_nested():
            personal_data.anonymise(
                call.session,
                platform.current().clock.now(),
                call.actor.user_id,
                parse_form(Anonymisation, clean_form()),
            )
    except DomainError as error:
        flash(error.detail, "error")
        return _account_page(call, form_errors(error)), error.status
    logout_user()
    flash("Your personal data is deleted and your account is closed.", "info")
    return redirect(url_for("accounts.login"))
