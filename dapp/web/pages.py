"""Server-rendered pages: a decorator that signs in, authorizes and opens the request's unit of work."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import flash, g, redirect, request, url_for
from flask_login import current_user
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from dapp import platform
from dapp.accounts.auth import actor_for_user
from dapp.accounts.permissions import Actor, Module, Permission
from dapp.errors import DomainError, Forbidden, Invalid


@dataclass
class PageCall:
    session: Session
    actor: Actor


PAGE_PERMISSIONS: dict[str, tuple[Module, Permission]] = {}


def page(module: Module, permission: Permission) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A page for signed-in members holding `permission` on `module`."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        PAGE_PERMISSIONS[f"{view.__module__}.{view.__name__}"] = (module, permission)

        @wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                flash("Sign in to continue.", "info")
                return redirect(url_for("accounts.login", next=request.full_path))
            with platform.current().db.unit_of_work() as session:
                actor = actor_for_user(session, current_user.id_uuid)
                if actor is None or not actor.can(module, permission):
                    raise Forbidden(f"You need {permission.name} on '{module.value}' for this page.")
                g.actor = actor
                return view(PageCall(session, actor), **kwargs)

        return wrapper

    return decorate


def parse_form(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """Validate form fields with the same schema the API uses; errors name the fields."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]) or "form", "message": e["msg"]}
            for e in error.errors(include_url=False)
        ]
        raise Invalid("Some fields need attention.", errors=errors) from error


def form_errors(error: DomainError) -> dict[str, str]:
    """Field → message, for showing next to the inputs."""
    return {item["field"]: item["message"] for item in error.extra.get("errors", [])}


def clean_form() -> dict[str, Any]:
    """The submitted form without empty values and the CSRF token."""
    return {k: v for k, v in request.form.items() if v.strip() != "" and k != "csrf_token"}
