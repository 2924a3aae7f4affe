"""Every route declares who may call it: API routes a module + permission (or public), pages likewise.

A new route that forgets its access rule fails here.
"""

from dapp.web.pages import PAGE_PERMISSIONS
from dapp.web.setup import api_routes

PUBLIC_PAGES = {
    "accounts.home",
    "accounts.register",
    "accounts.confirm_email",
    "accounts.login",
    "accounts.logout",
    "docs.vendor",
    "verify.certificate",
    "docs.openapi_json",
    "docs.swagger_ui",
    "health.healthz",
    "health.readyz",
    "static",
}
PUBLIC_API = {"accounts_api.register", "accounts_api.confirm_email", "verify_api.verify_certificate"}


def test_every_api_route_is_registered_with_its_access_rule(app) -> None:
    declared = {f"{route.blueprint}.{route.endpoint}" for route in api_routes()}
    served = {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")}
    assert served == declared
    public = {f"{route.blueprint}.{route.endpoint}" for route in api_routes() if route.public}
    assert public == PUBLIC_API


def test_every_page_is_public_by_intent_or_declares_its_permission(app) -> None:
    protected = {name.rsplit(".", 1)[1] for name in PAGE_PERMISSIONS}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") or rule.endpoint in PUBLIC_PAGES:
            continue
        assert rule.endpoint.split(".")[-1] in protected, f"{rule.rule} ({rule.endpoint}) declares no permission"


def test_protected_pages_send_anonymous_visitors_to_sign_in(app) -> None:
    client = app.test_client()
    for path in ("/devices", "/devices/new", "/catalogue", "/reservations", "/certificates", "/api-keys"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
