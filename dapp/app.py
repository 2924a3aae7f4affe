"""Wiring of the Flask app: sessions, CSRF, blueprints, error handling, templates, health."""

import logging

import redis
from flask import Flask, Response, render_template, request
from flask_wtf import CSRFProtect
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Response as BaseResponse

from dapp import platform as platform_module
from dapp.accounts import api as accounts_api
from dapp.accounts.views import account as account_views
from dapp.accounts.views import organization as organization_views
from dapp.admin import api as admin_api
from dapp.admin import metrics as admin_metrics
from dapp.admin import views as admin_views
from dapp.audit import api as audit_api
from dapp.audit import views as audit_views
from dapp.chain import contracts, keystore
from dapp.devices import api as devices_api
from dapp.devices import views as devices_views
from dapp.errors import DatabaseUnavailable, DomainError, RedisUnavailable
from dapp.irec import api as irec_api
from dapp.irec import views as irec_views
from dapp.issuance import api as issuance_api
from dapp.issuance import views as issuance_views
from dapp.jobs import outbox
from dapp.notify import api as notify_api
from dapp.notify import views as notify_views
from dapp.reads import api as reads_api
from dapp.reads import views as reads_views
from dapp.reservations import api as reservations_api
from dapp.reservations import views as reservations_views
from dapp.settings import Settings
from dapp.verify import api as verify_api
from dapp.verify import discovery as verify_discovery
from dapp.verify import gateway as verify_gateway
from dapp.verify import views as verify_views
from dapp.web import boundary, docs, filters, headers, health, login, observe
from dapp.web.api import ApiBlueprint, ApiRoute, json_response, problem_response
from dapp.webhooks import api as webhooks_api
from dapp.webhooks import views as webhooks_views

logger = logging.getLogger(__name__)

API_BLUEPRINTS: list[ApiBlueprint] = [
    accounts_api.api,
    devices_api.api,
    reads_api.api,
    reads_api.compat_api,
    reservations_api.api,
    issuance_api.api,
    irec_api.api,
    verify_api.api,
    notify_api.api,
    audit_api.api,
    webhooks_api.api,
    admin_api.api,
]
PAGE_BLUEPRINTS = [
    reads_views.bp,
    account_views.bp,
    devices_views.bp,
    reservations_views.bp,
    issuance_views.bp,
    irec_views.bp,
    verify_views.bp,
    verify_gateway.bp,
    verify_discovery.bp,
    notify_views.bp,
    organization_views.bp,
    audit_views.bp,
    webhooks_views.bp,
    admin_views.bp,
    docs.bp,
    health.bp,
    admin_metrics.bp,
]

csrf = CSRFProtect()


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask application for `settings` (read from the environment when omitted)."""
    settings = settings or Settings()
    settings.check_production_safety()
    contracts.check_network(settings)  # another chain than the configured one: refused at start (ADR 0116)
    keystore.platform_key(settings)  # unlocked once, now: a wrong passphrase stops the start (ADR 0118)
    platform_module.install(platform_module.Platform(settings))
    outbox.install()
    app = Flask("dapp")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
    )
    _wire(app)
    headers.init_app(app, served_over_https=settings.base_url.startswith("https://"))
    if settings.observability:
        observe.init_app(app)
    return app


def _wire(app: Flask) -> None:
    boundary.init_app(app)  # before CSRF and sign-in: refused input is never read further
    login.init_app(app)
    csrf.init_app(app)
    for blueprint in API_BLUEPRINTS:
        csrf.exempt(blueprint)  # session-authenticated API calls check the X-CSRFToken header instead
        app.register_blueprint(blueprint)
    for page_blueprint in PAGE_BLUEPRINTS:
        app.register_blueprint(page_blueprint)
    filters.init_app(app)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(redis.ConnectionError, _redis_error)
    app.register_error_handler(redis.TimeoutError, _redis_error)


def api_routes() -> list[ApiRoute]:
    """Every typed API route (the registry the OpenAPI document and the isolation tests are made from)."""
    return [route for blueprint in API_BLUEPRINTS for route in blueprint.routes]


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _domain_error(error: DomainError) -> Response:
    if _is_api():
        return problem_response(error)
    return Response(render_template("error.html", error=error), status=error.status)


def _database_error(error: DBAPIError) -> Response:
    """A lost database connection (the pool is renewed when it is detected), or a server that refuses new ones, is
    a 503: the transaction was rolled back. Any other database error is a fault of ours (500)."""
    if not (error.connection_invalidated or isinstance(error, OperationalError)):
        raise error
    logger.warning("database connection lost: %s", type(error.orig).__name__)
    return _domain_error(
        DatabaseUnavailable("The database could not be reached; nothing was stored. Retry the request.")
    )


def _redis_error(error: redis.RedisError) -> Response:
    """Redis away (queues, the settable clock): a 503 the client can retry, never a 500."""
    logger.warning("redis unavailable: %s", type(error).__name__)
    return _domain_error(RedisUnavailable("Redis (queues and clock) could not be reached. Retry the request."))


def _http_error(error: HTTPException) -> BaseResponse:
    if not _is_api():
        return error.get_response()
    problem = {
        "type": "about:blank",
        "title": error.name,
        "status": error.code,
        "code": error.name.lower().replace(" ", "_"),
        "detail": error.description,
    }
    response = json_response(problem, error.code or 500, "application/problem+json")
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)  # RFC 9110: a 405 says what is allowed
    return response
