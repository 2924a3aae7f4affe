"""Every route declares who may call it: API routes a module + permission (or public), pages likewise.

A new route that forgets its access rule fails here.
"""

from dapp.app import api_routes
from dapp.web.api import Access
from dapp.web.pages import ACCOUNT_PAGES, ADMIN_PAGES, PAGE_PERMISSIONS, PUBLIC_PAGES

# Public routes that need no database, hence no `@public_page` (which registers every other public page).
PUBLIC_ROUTES = {
    "accounts.home",
    "accounts.logout",
    "docs.vendor",
    "docs.openapi_json",
    "docs.swagger_ui",
    "health.healthz",
    "health.readyz",
    "metrics.metrics_view",
    "static",
}
PUBLIC_API = {
    "accounts_api.register",
    "accounts_api.confirm_email",
    "accounts_api.resend_confirmation",
    "accounts_api.request_password_reset",
    "accounts_api.reset_password",
    "accounts_api.accept_invitation",
    "accounts_api.reject_invitation",
    "verify_api.verify_certificate",
    "verify_api.verify_reservation",
    "verify_api.certificate_record",
    "verify_api.reservation_record",
    "verify_api.register",
    "verify_api.register_totals",
}


def test_every_api_route_is_registered_with_its_access_rule(app) -> None:
    declared = {f"{route.blueprint}.{route.endpoint}" for route in api_routes()}
    api_blueprints = {route.blueprint for route in api_routes()}  # incl. the D-REC compatibility route under /api
    served = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") or rule.endpoint.split(".")[0] in api_blueprints
    }
    assert served == declared
    public = {f"{route.blueprint}.{route.endpoint}" for route in api_routes() if route.access == Access.PUBLIC}
    assert public == PUBLIC_API


def test_every_page_is_public_by_intent_or_declares_its_permission(app) -> None:
    declared = {*PAGE_PERMISSIONS, *ADMIN_PAGES, *ACCOUNT_PAGES, *PUBLIC_PAGES}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") or rule.endpoint in PUBLIC_ROUTES or _is_api(rule.endpoint):
            continue
        view = app.view_functions[rule.endpoint]
        assert f"{view.__module__}.{view.__name__}" in declared, f"{rule.rule} ({rule.endpoint}) declares no permission"


def test_protected_pages_send_anonymous_visitors_to_sign_in(app) -> None:
    client = app.test_client()
    paths = ("/devices", "/devices/new", "/catalogue", "/reservations", "/certificates", "/api-keys", "/organization")
    for path in (*paths, "/organization/audit-log", "/account", "/admin"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def _is_api(endpoint: str) -> bool:
    """Typed API routes declare their access through the API registry (checked above), not as pages."""
    return endpoint.split(".")[0] in {route.blueprint for route in api_routes()}


def _problems(document: dict, path: str, method: str) -> dict[str, set[str]]:
    """Status → problem codes that the OpenAPI document lists for one operation."""
    responses = document["paths"][path][method]["responses"]
    return {
        status: set(response["content"]["application/problem+json"]["examples"])
        for status, response in responses.items()
        if "application/problem+json" in response.get("content", {})
    }


def test_openapi_lists_each_routes_problems_by_status(app) -> None:
    document = app.test_client().get("/api/openapi.json").json
    reserve = _problems(document, "/api/v1/reservations", "post")
    assert reserve["409"] >= {"device_unavailable", "cooldown_active", "name_taken"}
    assert reserve["403"] >= {"permission_missing", "not_a_buyer"}
    assert reserve["422"] >= {"validation_failed"}
    assert reserve["401"] >= {"unauthenticated", "invalid_api_key"}
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "code", "detail"]


def test_a_public_route_lists_no_sign_in_problem_but_its_own(app) -> None:
    document = app.test_client().get("/api/openapi.json").json
    verify = _problems(document, "/api/v1/verify/certificates/{reference}", "get")
    assert "unauthenticated" not in verify.get("401", set())
    assert "permission_missing" not in verify.get("403", set())
    assert verify["404"] == {"certificate_never_issued"}


def test_every_declared_error_has_a_code_of_its_own_and_a_summary() -> None:
    for route in api_routes():
        for error in route.errors:
            assert error.code != error.__mro__[1].code, f"{error.__name__} keeps its base class's code"
            assert error.__doc__, f"{error.__name__} has no docstring for the OpenAPI summary"
