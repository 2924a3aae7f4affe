"""Pages of accounts: sign-up, email confirmation, sign-in/out, API keys."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from dapp import platform
from dapp.accounts import service
from dapp.accounts.emails import send_confirmation
from dapp.accounts.models import OrganizationType
from dapp.accounts.permissions import Module, Permission
from dapp.accounts.schemas import ApiKeyCreate, RegistrationCreate
from dapp.errors import DomainError
from dapp.web.login import load_user
from dapp.web.pages import PageCall, clean_form, form_errors, page, parse_form

bp = Blueprint("accounts", __name__)


@bp.get("/")
def home() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for(current_user.landing_endpoint))
    return redirect(url_for("accounts.login"))


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | Response:
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
    send_confirmation(email, token)
    flash(f"We sent a confirmation link to {email}. Follow it, then sign in.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/confirm-email", methods=["GET", "POST"])
def confirm_email() -> str | Response:
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


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if request.method == "GET":
        return render_template("accounts/login.html", email="")
    email = request.form.get("email", "")
    try:
        with platform.current().db.unit_of_work() as session:
            user = service.check_credentials(session, email, request.form.get("password", ""))
            user_id = str(user.id)
    except DomainError as error:
        flash(error.detail, "error")
        return render_template("accounts/login.html", email=email), error.status
    session_user = load_user(user_id)
    login_user(session_user)
    return redirect(_safe_next() or url_for(session_user.landing_endpoint))


def _safe_next() -> str | None:
    target = request.args.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else None


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.login"))


@bp.get("/api-keys")
@page(Module.API_KEYS, Permission.READ)
def api_keys(call: PageCall) -> str:
    return render_template("accounts/api_keys.html", keys=service.list_api_keys(call.session, call.actor), new_key=None)


@bp.post("/api-keys")
@page(Module.API_KEYS, Permission.WRITE)
def create_api_key(call: PageCall) -> str:
    data = parse_form(ApiKeyCreate, {"name": request.form.get("name", ""), "permissions": _requested_permissions()})
    _, key = service.create_api_key(call.session, call.actor, data)
    return render_template("accounts/api_keys.html", keys=service.list_api_keys(call.session, call.actor), new_key=key)


def _requested_permissions() -> dict[str, list[str]] | None:
    """Checkboxes named `perm:<module>:<PERMISSION>`; none ticked gives a read-only key."""
    requested: dict[str, list[str]] = {}
    for name in request.form:
        if name.startswith("perm:"):
            _, module, permission = name.split(":", 2)
            requested.setdefault(module, []).append(permission)
    return requested or None
