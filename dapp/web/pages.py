"""Server-rendered pages: a decorator that signs in, authorizes and opens the request's unit of work."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import flash, redirect, request, url_for
from flask_login import current_user
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from dapp import platform
from dapp.accounts.auth import actor_for_user
from dapp.accounts.permissions import Actor, Module, Permission, PlatformAdmin, require, require_platform_admin
from dapp.errors import DomainError, Forbidden, Invalid
from dapp.web.query import field_errors


@dataclass
class PageCall:
    session: Session
    actor: Any  # Actor on organization pages, PlatformAdmin on admin pages, either on account pages
    after_commit: list[Callable[[], None]] = field(default_factory=list)  # e.g. emails, run once committed


PAGE_PERMISSIONS: dict[str, tuple[Module, Permission]] = {}
ADMIN_PAGES: set[str] = set()
ACCOUNT_PAGES: set[str] = set()


def page(module: Module, permission: Permission) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A page for signed-in members holding `permission` on `module`."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        PAGE_PERMISSIONS[f"{view.__module__}.{view.__name__}"] = (module, permission)
        return _signed_in(view, lambda actor: require(actor, module, permission))

    return decorate


def admin_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page for platform admins only (R-ACC-7)."""
    ADMIN_PAGES.add(f"{view.__module__}.{view.__name__}")
    return _signed_in(view, require_platform_admin)


def account_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page about the signed-in person's own account (any member or platform admin)."""
    ACCOUNT_PAGES.add(f"{view.__module__}.{view.__name__}")
    return _signed_in(view, lambda _actor: None)


def _signed_in(view: Callable[..., Any], check: Callable[[Actor | PlatformAdmin], object]) -> Callable[..., Any]:
    """Sign-in redirect, then one unit of work in which `check` authorizes the actor before the view runs."""

    @wraps(view)
    def wrapper(**kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            flash("Sign in to continue.", "info")
            return redirect(url_for("accounts.login", next=request.full_path))
        with platform.current().db.unit_of_work() as session:
            actor = actor_for_user(session, current_user.id_uuid)
            if actor is None:
                raise Forbidden("Your account can no longer use this page.", code="account_disabled")
            check(actor)
            call = PageCall(session, actor)
            result = view(call, **kwargs)
        for effect in call.after_commit:
            effect()
        return result

    return wrapper


def parse_form(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """Validate form fields with the same schema the API uses; errors name the fields."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise Invalid("Some fields need attention.", errors=field_errors(error, whole="form")) from error


def form_errors(error: DomainError) -> dict[str, str]:
    """Field → message, for showing next to the inputs."""
    return {item["field"]: item["message"] for item in error.extra.get("errors", [])}


def clean_form() -> dict[str, Any]:
    """The submitted form without empty values and the CSRF token."""
    return {k: v for k, v in request.form.items() if v.strip() != "" and k != "csrf_token"}
