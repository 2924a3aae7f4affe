"""Server-rendered pages: decorators that sign in, authorize and open the request's unit of work, and the one
shape of a form action.

Each decorator fixes the type of the caller its view gets (`PageCall[...]`): `page(module, permission)` for
organization members holding a permission (an `Actor`), `admin_page` for platform admins (a `PlatformAdmin`),
`account_page` for any signed-in person on their own account (a `Person`), `public_page` for anyone (whoever
signed in, or None). A form action runs its service call through `attempt`: in a savepoint, so that a refused
action leaves nothing behind while the page's own work still commits, and with the refusal flashed and handed
back with its field errors and status for the re-render.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar

from flask import flash, redirect, request, url_for
from flask_login import current_user
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from dapp import platform
from dapp.access.actors import actor_for_user
from dapp.access.errors import AccountNoLongerActive
from dapp.access.permissions import Actor, Module, Permission, Person, PlatformAdmin, require, require_person
from dapp.access.permissions import require_platform_admin as require_admin
from dapp.db import savepoint
from dapp.errors import DomainError, Invalid
from dapp.web.query import field_errors

ActorT = TypeVar("ActorT")
P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class PageCall(Generic[ActorT]):
    """What a view gets: the request's unit of work and who calls, as the page's access rule admits them."""

    session: Session
    actor: ActorT


View = Callable[Concatenate[PageCall[ActorT], P], Any]


class MemberPageDecorator(Protocol):
    def __call__(self, view: View[Actor, P], /) -> Callable[P, Any]: ...


PAGE_PERMISSIONS: dict[str, tuple[Module, Permission]] = {}
ADMIN_PAGES: set[str] = set()
ACCOUNT_PAGES: set[str] = set()
PUBLIC_PAGES: set[str] = set()


def page(module: Module, permission: Permission) -> MemberPageDecorator:
    """A page for signed-in members holding `permission` on `module`."""

    def decorate(view: View[Actor, P]) -> Callable[P, Any]:
        PAGE_PERMISSIONS[f"{view.__module__}.{view.__name__}"] = (module, permission)
        return _signed_in(view, lambda actor: require(actor, module, permission))

    return decorate


def admin_page(view: View[PlatformAdmin, P]) -> Callable[P, Any]:
    """A page for platform admins only (R-ACC-7)."""
    ADMIN_PAGES.add(f"{view.__module__}.{view.__name__}")
    return _signed_in(view, require_admin)


def account_page(view: View[Person, P]) -> Callable[P, Any]:
    """A page about the signed-in person's own account (any member or platform admin)."""
    ACCOUNT_PAGES.add(f"{view.__module__}.{view.__name__}")
    return _signed_in(view, require_person)


def public_page(view: View[Actor | PlatformAdmin | None, P]) -> Callable[P, Any]:
    """A page anyone may open (sign-up, sign-in, links from emails), in one unit of work like every page."""
    PUBLIC_PAGES.add(f"{view.__module__}.{view.__name__}")

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
        with platform.current().db.unit_of_work() as session:
            actor = actor_for_user(session, current_user.id_uuid) if current_user.is_authenticated else None
            return view(PageCall(session, actor), *args, **kwargs)

    return wrapper


def _signed_in(view: View[ActorT, P], admit: Callable[[Actor | PlatformAdmin], ActorT]) -> Callable[P, Any]:
    """Sign-in redirect, then one unit of work in which `admit` turns the user into the view's caller."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
        if not current_user.is_authenticated:
            flash("Sign in to continue.", "info")
            return redirect(url_for("accounts.login", next=request.full_path))
        with platform.current().db.unit_of_work() as session:
            actor = actor_for_user(session, current_user.id_uuid)
            if actor is None:
                raise AccountNoLongerActive("Your account can no longer use this page.")
            return view(PageCall(session, admit(actor)), *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Failed:
    """A form action the platform refused: why, per field, and the status of the page that says so."""

    error: DomainError

    @property
    def field_errors(self) -> dict[str, str]:
        return form_errors(self.error)

    @property
    def status(self) -> int:
        return self.error.status


def attempt(session: Session, action: Callable[[], T]) -> T | Failed:
    """Run a form's action in a savepoint of the page's unit of work. A refusal (a `DomainError`) rolls back the
    action alone, with the effects it registered, is flashed, and comes back as `Failed` for the re-render."""
    try:
        with savepoint(session):
            return action()
    except DomainError as error:
        flash(error.detail, "error")
        return Failed(error)


def is_htmx() -> bool:
    """Whether htmx asked for a fragment of the page; a boosted link or form wants the whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


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
