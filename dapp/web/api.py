"""Typed JSON API routes: authentication, access rule, body parsing, one transaction, OpenAPI.

A route is declared with the decorator of its access rule, which fixes the type of the caller its handler gets:

- `member_route(path, method, module, permission)`: organization members and API keys holding the permission
  (R-ACC-5); the handler gets a `MemberCall` whose actor is an `Actor`;
- `admin_route`: platform operators (R-ACC-7), an `AdminCall` with a `PlatformAdmin`;
- `person_route`: any signed-in person acting on their own account (API keys refused), a `PersonCall` with a
  `Person`;
- `public_route`: anyone, a `PublicCall` whose actor is whoever signed in, or None.

Each route also declares its body and response models and the named errors it may answer with. The registry of
routes is what the OpenAPI document and the isolation tests are made from, so a route cannot exist without its
access rule. Authentication and the access rule are checked before the body is parsed, so a caller without
access learns nothing about the body's rules.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import wraps
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeAlias, TypedDict, TypeVar, Unpack

import orjson
from flask import Blueprint, Response, request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from dapp import platform
from dapp.access.auth import authenticate_request, bearer_credential
from dapp.access.errors import (
    ApiKeyDisabled,
    BadAuthorization,
    CsrfFailed,
    InvalidApiKey,
    PermissionMissing,
    PersonRequired,
    PlatformAdminRequired,
)
from dapp.access.permissions import Actor, Module, Permission, Person, PlatformAdmin, require, require_person
from dapp.access.permissions import require_platform_admin as require_admin
from dapp.errors import (
    ControlCharacter,
    DatabaseUnavailable,
    DomainError,
    Invalid,
    MalformedJson,
    RedisUnavailable,
    Unauthenticated,
    UnknownParameter,
)
from dapp.web.boundary import check_json_body
from dapp.web.query import field_errors

JSON = "application/json"

ActorT = TypeVar("ActorT", covariant=True)
BodyT = TypeVar("BodyT", covariant=True)
P = ParamSpec("P")


class Access(StrEnum):
    MEMBER = "member"
    PLATFORM_ADMIN = "platform_admin"
    SELF_SERVICE = "self_service"
    PUBLIC = "public"


@dataclass(frozen=True)
class Call(Generic[ActorT, BodyT]):
    """What a handler gets: the unit of work, who calls (as the route's access rule admits them), the parsed body
    (None for a route without one) and the request's instant on the platform clock (read once per request)."""

    session: Session
    actor: ActorT
    body: BodyT
    now: datetime


MemberCall: TypeAlias = Call[Actor, BodyT]
AdminCall: TypeAlias = Call[PlatformAdmin, BodyT]
PersonCall: TypeAlias = Call[Person, BodyT]
PublicCall: TypeAlias = Call[Actor | PlatformAdmin | None, BodyT]


@dataclass(frozen=True)
class ApiRoute:
    blueprint: str
    path: str
    method: str
    endpoint: str
    summary: str
    access: Access
    module: Module | None
    permission: Permission | None
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    errors: tuple[type[DomainError], ...] = ()
    express: Callable[..., Any] | None = None
    query: type[BaseModel] | None = None
    upload: tuple[str, ...] = ()

    def parameter_names(self) -> set[str]:
        """The query parameters the route takes (by the names clients send)."""
        fields = self.query.model_fields.items() if self.query is not None else ()
        return {info.alias or name for name, info in fields}


@dataclass(frozen=True)
class ExpressCall:
    """What a route's express handler gets (ADR 0058): the request's instant, its API key and raw body, and the
    route's access rule as a check on an actor.

    An express handler answers, without a session, the requests it can complete in one database statement, and
    returns None for every other request, having written nothing; those take the route's full path, so every
    refusal, error and rare case is answered there. It serves API-key requests only.
    """

    now: datetime
    api_key: str
    body: bytes
    permits: Callable[[Actor], bool]


@dataclass(frozen=True, slots=True)
class PlainJson:
    """A result already in the route's response shape, made only of dicts (string keys), lists, strings, integers
    of 64 bits, floats, None, UTC datetimes and dataclasses of those (the read outcomes).

    Written with orjson, without being validated against the response model again: the reads ingestion
    routes answer with one entry per read (up to 10,000), and validating them all again cost more than judging
    them (ADR 0033). Their tests check these answers against the response model.
    """

    value: Any

    def plain(self) -> Any:
        """The value as JSON's own types (dicts, lists, strings, numbers, None), e.g. for a JSON column."""
        return orjson.loads(orjson.dumps(self.value))


Authorize = Callable[[Session, ApiRoute, datetime], Any]
CallerT = TypeVar("CallerT", covariant=True)


class RouteOptions(TypedDict, total=False):
    """What a route declares besides its path, method and access rule."""

    body: type[BaseModel]  # the request body's model (none: the route takes no body)
    response: type[BaseModel]  # the response's model, checked and documented
    status: int  # the status of a success (200 unless said)
    errors: tuple[type[DomainError], ...]  # the problems it may answer with, beyond those its kind implies
    express: Callable[..., Any]  # a fast path tried first (member routes, API keys only; ADR 0058)
    query: type[BaseModel]  # the query parameters it takes, with their types and limits (no others are accepted)
    upload: tuple[str, ...]  # the media types of a file it takes as the raw body (or as multipart field 'file')


class Decorator(Protocol[CallerT]):
    """Turns a handler taking a `Call` of this caller type (then its path arguments) into a Flask view."""

    def __call__(self, handler: Callable[Concatenate[Call[CallerT, Any], P], Any], /) -> Callable[P, Response]: ...


class ApiBlueprint(Blueprint):
    """A blueprint whose routes are typed and registered for OpenAPI and access checks."""

    def __init__(self, name: str, import_name: str, url_prefix: str = "/api/v1") -> None:
        super().__init__(name, import_name, url_prefix=url_prefix)
        self.routes: list[ApiRoute] = []

    def member_route(
        self, path: str, method: str, module: Module, permission: Permission, **options: Unpack[RouteOptions]
    ) -> Decorator[Actor]:
        """A route for organization members and API keys holding `permission` on `module`."""
        return self._route(path, method, (Access.MEMBER, module, permission), _member, options)

    def admin_route(self, path: str, method: str, **options: Unpack[RouteOptions]) -> Decorator[PlatformAdmin]:
        """A route for platform admins only (R-ACC-7)."""
        return self._route(path, method, (Access.PLATFORM_ADMIN, None, None), _admin, options)

    def person_route(self, path: str, method: str, **options: Unpack[RouteOptions]) -> Decorator[Person]:
        """A route about the signed-in person's own account (members and platform admins; API keys refused)."""
        return self._route(path, method, (Access.SELF_SERVICE, None, None), _person, options)

    def public_route(
        self, path: str, method: str, **options: Unpack[RouteOptions]
    ) -> Decorator[Actor | PlatformAdmin | None]:
        """A route anyone may call; the handler still learns who signed in, if anyone did."""
        return self._route(path, method, (Access.PUBLIC, None, None), _anyone, options)

    def _route(
        self,
        path: str,
        method: str,
        rule: tuple[Access, Module | None, Permission | None],
        authorize: Authorize,
        options: RouteOptions,
    ) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
        if options.get("express") is not None and rule[0] != Access.MEMBER:
            raise ValueError(f"{method} {path}: an express lane serves API keys, so member routes only")

        def decorate(handler: Callable[..., Any]) -> Callable[..., Response]:
            summary = (handler.__doc__ or handler.__name__).strip().splitlines()[0]
            access, module, permission = rule
            route = ApiRoute(
                self.name, path, method, handler.__name__, summary, access, module, permission,
                options.get("body"), options.get("response"), options.get("status", 200), options.get("errors", ()),
                options.get("express"), options.get("query"), options.get("upload", ()),
            )  # fmt: skip
            self.routes.append(route)
            view = _typed_view(route, handler, authorize)
            self.add_url_rule(path, handler.__name__, view, methods=[method])
            return view

        return decorate


# What any request may be answered with, whatever the route: a key or session that does not authenticate, text
# holding a control character (the input boundary), and a database or Redis out of reach.
CREDENTIAL_ERRORS: tuple[type[DomainError], ...] = (BadAuthorization, InvalidApiKey, ApiKeyDisabled, CsrfFailed)
ACCESS_ERRORS: dict[Access, tuple[type[DomainError], ...]] = {
    Access.MEMBER: (Unauthenticated, PermissionMissing),
    Access.PLATFORM_ADMIN: (Unauthenticated, PlatformAdminRequired),
    Access.SELF_SERVICE: (Unauthenticated, PersonRequired),
    Access.PUBLIC: (),
}


def implied_errors(route: ApiRoute) -> tuple[type[DomainError], ...]:
    """The errors every route of its kind may answer with, which it need not declare: its access rule's, the
    input boundary's, its body's and query's (malformed or invalid), the database's and Redis's."""
    body: tuple[type[DomainError], ...] = (MalformedJson, Invalid) if route.body is not None else ()
    query: tuple[type[DomainError], ...] = (Invalid,) if route.query is not None else ()
    input_errors: tuple[type[DomainError], ...] = (ControlCharacter, UnknownParameter, *body, *query)
    return (*CREDENTIAL_ERRORS, *ACCESS_ERRORS[route.access], *input_errors, DatabaseUnavailable, RedisUnavailable)


def _typed_view(route: ApiRoute, handler: Callable[..., Any], authorize: Authorize) -> Callable[..., Response]:
    @wraps(handler)
    def view(**path_args: Any) -> Response:
        _refuse_unknown_parameters(route)
        if route.body is not None:
            check_json_body(request.get_data(cache=True))
        p = platform.current()
        now = p.clock.now()
        express = _express_call(route, now)
        if express is not None:
            assert route.express is not None
            answer = route.express(express, **path_args)
            if answer is not None:
                return Response(_dump_json(answer, route.response), status=route.status, content_type=JSON)
        with p.db.unit_of_work() as session:
            actor = authorize(session, route, now)
            body = _parse_body(route.body) if route.body else None
            result = handler(Call(session, actor, body, now), **path_args)
        return Response(_dump_json(result, route.response), status=route.status, content_type=JSON)

    return view


def _refuse_unknown_parameters(route: ApiRoute) -> None:
    """A query parameter the route does not declare is refused, so the OpenAPI document lists every parameter a
    route reads and a client's misspelt filter is not silently ignored."""
    unknown = sorted(set(request.args) - route.parameter_names())
    if unknown:
        accepted = ", ".join(sorted(route.parameter_names())) or "none"
        raise UnknownParameter(
            f"This operation takes no query parameter {', '.join(unknown)} (it takes: {accepted}).",
            errors=[
                {"field": name, "code": "unknown_parameter", "message": "not a parameter of this operation"}
                for name in unknown
            ],
        )


def _express_call(route: ApiRoute, now: datetime) -> ExpressCall | None:
    header = request.headers.get("Authorization")
    if route.express is None or not header or route.module is None or route.permission is None:
        return None
    try:
        api_key = bearer_credential(header)
    except Unauthenticated:
        return None
    module, permission = route.module, route.permission
    return ExpressCall(now, api_key, request.get_data(cache=True), lambda actor: actor.can(module, permission))


def _signed_in(session: Session, now: datetime) -> Actor | PlatformAdmin:
    actor = authenticate_request(session, request, now)
    if actor is None:
        raise Unauthenticated("Sign in, or send an API key as 'Authorization: Bearer <key>'.")
    return actor


def _member(session: Session, route: ApiRoute, now: datetime) -> Actor:
    assert route.module is not None
    assert route.permission is not None
    return require(_signed_in(session, now), route.module, route.permission)


def _admin(session: Session, _route: ApiRoute, now: datetime) -> PlatformAdmin:
    return require_admin(_signed_in(session, now))


def _person(session: Session, _route: ApiRoute, now: datetime) -> Person:
    return require_person(_signed_in(session, now))


def _anyone(session: Session, _route: ApiRoute, now: datetime) -> Actor | PlatformAdmin | None:
    return authenticate_request(session, request, now)


def _parse_body(model: type[BaseModel]) -> BaseModel:
    """The body checked against `model`; JSON is parsed and validated in one pass (pydantic-core)."""
    try:
        return model.model_validate_json(request.get_data(cache=True) or b"null")
    except ValidationError as error:
        malformed = [e for e in error.errors() if e["type"] == "json_invalid"]
        if malformed:
            detail = malformed[0]["ctx"]["error"] if "ctx" in malformed[0] else malformed[0]["msg"]
            raise MalformedJson(f"The request body is not valid JSON: {detail}") from error
        raise Invalid(
            f"The request body does not match {model.__name__}.",
            errors=field_errors(error),
        ) from error


def _dump_json(result: Any, model: type[BaseModel] | None) -> str | bytes:
    """The response body: models are checked and serialized by pydantic-core, plain JSON by orjson (a 1,000-read
    answer in 1.0 ms instead of 3.4 ms with `json`), other results by `json`."""
    if isinstance(result, PlainJson):
        return orjson.dumps(result.value)
    if isinstance(result, BaseModel):
        return result.model_dump_json()
    if model is not None:
        return model.model_validate(result).model_dump_json()
    return json.dumps(result, separators=(",", ":"))


def json_response(payload: Any, status: int = 200, content_type: str = JSON) -> Response:
    return Response(json.dumps(payload, separators=(",", ":")), status=status, content_type=content_type)


def problem_response(error: DomainError) -> Response:
    return json_response(error.problem(), error.status, "application/problem+json")
