"""Typed JSON API routes: authentication, permission, body parsing, one transaction, OpenAPI.

A route declares the module and permission it needs (or `public=True`), its body and response models.
The registry of routes is what the OpenAPI document and the isolation tests are generated from, so a
route cannot exist without declaring its access rule. Access rules: `module` + `permission` (organization
members and API keys holding it), `public=True`, `platform_admin=True` (platform operators, R-ACC-7) or
`self_service=True` (any signed-in person acting on their own account; API keys refused).
Authentication and permission are checked before the body is parsed, so a caller without access learns
nothing about the body's rules.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Any

import orjson
from flask import Blueprint, Response, request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from dapp import platform
from dapp.accounts.auth import authenticate_request, bearer_credential
from dapp.accounts.permissions import (
    Actor,
    Module,
    Permission,
    PlatformAdmin,
    require,
    require_person,
    require_platform_admin,
)
from dapp.errors import DomainError, Invalid, Unauthenticated
from dapp.web.query import field_errors

JSON = "application/json"


@dataclass(frozen=True)
class ApiRoute:
    blueprint: str
    path: str
    method: str
    endpoint: str
    summary: str
    module: Module | None
    permission: Permission | None
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    public: bool
    platform_admin: bool = False
    self_service: bool = False
    express: Callable[..., Any] | None = None


@dataclass
class Call:
    """What a handler gets: the unit of work, the actor (None on public routes), the parsed body and the
    request's instant on the platform clock (read once per request).

    The actor is a `PlatformAdmin` on `platform_admin` routes and an organization `Actor` on every other
    non-public route.
    """

    session: Session
    actor: Actor | PlatformAdmin | None
    body: Any
    now: datetime
    after_commit: list[Callable[[], None]] = field(default_factory=list)


@dataclass(frozen=True)
class ExpressCall:
    """What a route's express handler gets (ADR 0058): the route, the request's instant and its API key.

    An express handler answers, without a session, the requests it can complete in one database statement, and
    returns None for every other request, having written nothing; those take the route's full path, so every
    refusal, error and rare case is answered there. It serves API-key requests only; it checks the key with
    `actor_for_key_row` and the route's access rule with `permits` before it reads the body with `body`.
    """

    route: ApiRoute
    now: datetime
    api_key: str

    def permits(self, actor: Actor) -> bool:
        route = self.route
        return route.module is not None and route.permission is not None and actor.can(route.module, route.permission)

    def body(self) -> Any:
        """The body as the route's model, or None when it does not match (the full path says why)."""
        assert self.route.body is not None
        try:
            return _request_body(self.route.body)
        except ValidationError:
            return None


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


class ApiBlueprint(Blueprint):
    """A blueprint whose routes are typed and registered for OpenAPI and access checks."""

    def __init__(self, name: str, import_name: str, url_prefix: str = "/api/v1") -> None:
        super().__init__(name, import_name, url_prefix=url_prefix)
        self.routes: list[ApiRoute] = []

    def endpoint_route(
        self,
        path: str,
        method: str,
        *,
        module: Module | None = None,
        permission: Permission | None = None,
        body: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        public: bool = False,
        platform_admin: bool = False,
        self_service: bool = False,
        express: Callable[..., Any] | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
        rules = [module is not None and permission is not None, public, platform_admin, self_service]
        if sum(rules) != 1 or (module is None) != (permission is None):
            raise ValueError(
                f"{method} {path}: declare exactly one access rule: module and permission, public, "
                "platform_admin or self_service"
            )

        def decorate(handler: Callable[..., Any]) -> Callable[..., Response]:
            summary = (handler.__doc__ or handler.__name__).strip().splitlines()[0]
            route = ApiRoute(
                self.name,
                path,
                method,
                handler.__name__,
                summary,
                module,
                permission,
                body,
                response,
                status,
                public,
                platform_admin,
                self_service,
                express,
            )
            self.routes.append(route)
            view = _typed_view(route, handler)
            self.add_url_rule(path, handler.__name__, view, methods=[method])
            return view

        return decorate


def _typed_view(route: ApiRoute, handler: Callable[..., Any]) -> Callable[..., Response]:
    @wraps(handler)
    def view(**path_args: Any) -> Response:
        p = platform.current()
        now = p.clock.now()
        express = _express_call(route, now)
        if express is not None:
            assert route.express is not None
            answer = route.express(express, **path_args)
            if answer is not None:
                return Response(_dump_json(answer, route.response), status=route.status, content_type=JSON)
        with p.db.unit_of_work() as session:
            actor = _authorize(session, route, now)
            body = _parse_body(route.body) if route.body else None
            call = Call(session, actor, body, now)
            result = handler(call, **path_args)
        for effect in call.after_commit:
            effect()
        return Response(_dump_json(result, route.response), status=route.status, content_type=JSON)

    return view


def _express_call(route: ApiRoute, now: datetime) -> ExpressCall | None:
    header = request.headers.get("Authorization")
    if route.express is None or not header:
        return None
    try:
        return ExpressCall(route, now, bearer_credential(header))
    except Unauthenticated:
        return None


def _authorize(session: Session, route: ApiRoute, now: datetime) -> Actor | PlatformAdmin | None:
    actor = authenticate_request(session, request, now)
    if route.public:
        return actor
    if actor is None:
        raise Unauthenticated("Sign in, or send an API key as 'Authorization: Bearer <key>'.")
    if route.platform_admin:
        return require_platform_admin(actor)
    if route.self_service:
        require_person(actor)
        return actor
    assert route.module is not None
    assert route.permission is not None
    require(actor, route.module, route.permission)
    return actor


def _parse_body(model: type[BaseModel]) -> BaseModel:
    """The body checked against `model`; JSON is parsed and validated in one pass (pydantic-core)."""
    try:
        return _request_body(model)
    except ValidationError as error:
        malformed = [e for e in error.errors() if e["type"] == "json_invalid"]
        if malformed:
            detail = malformed[0]["ctx"]["error"] if "ctx" in malformed[0] else malformed[0]["msg"]
            raise DomainError(f"The request body is not valid JSON: {detail}", code="malformed_json") from error
        raise Invalid(
            f"The request body does not match {model.__name__}.",
            errors=field_errors(error),
        ) from error


def _request_body(model: type[BaseModel]) -> BaseModel:
    """The request's body validated against `model` (an empty body is JSON null); raises `ValidationError`."""
    return model.model_validate_json(request.get_data(cache=True) or b"null")


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
