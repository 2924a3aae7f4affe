"""Every route declares who may call it: API routes a module + permission (or public), pages likewise.

A new route that forgets its access rule fails here.
"""

from dapp.web.pages import ACCOUNT_PAGES, ADMIN_PAGES, PAGE_PERMISSIONS
from dapp.web.setup import api_routes

PUBLIC_PAGES = {
    "accounts.home",
    "accounts.register",
    "accounts.confirm_email",
    "accounts.login",
    "accounts.logout",
    "accounts.resend_confirmation",
    "accounts.forgot_password",
    "accounts.reset_password",
    "accounts.respond_to_invitation",
    "docs.vendor",
    "verify.certificate",
    "docs.openapi_json",
    "docs.swagger_ui",
    "health.healthz",
    "health.readyz",
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
    public = {f"{route.blueprint}.{route.endpoint}" for route in api_routes() if route.public}
    assert public == PUBLIC_API


def test_every_page_is_public_by_intent_or_declares_its_permission(app) -> None:
    protected = {name.rsplit(".", 1)[1] for name in [*PAGE_PERMISSIONS, *ADMIN_PAGES, *ACCOUNT_PAGES]}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") or rule.endpoint in PUBLIC_PAGES or _is_api(rule.endpoint):
            continue
        assert rule.endpoint.split(".")[-1] in protected, f"{rule.rule} ({rule.endpoint}) declares no permission"


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
