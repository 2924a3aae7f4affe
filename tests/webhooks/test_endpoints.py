"""Registering, reading, changing and removing webhook endpoints (R-API-2): secret shown once, known event kinds
only, public addresses only unless allowed, each organization sees its own."""

from dapp import platform
from dapp.models.webhooks import WebhookEndpoint
from tests.factories.accounts import make_api_key, make_org, signed_in
from tests.webhooks.support import register, registered


def test_the_secret_is_shown_once_and_stored_encrypted(app, allow_private) -> None:
    org = make_org("Sunny Developers")
    created = registered(app, org, "http://127.0.0.1:9/hooks", ["reservation.created", "certificate.minted"])
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["certificate.minted", "reservation.created"]
    listed = app.test_client().get("/api/v1/webhooks", headers=org.auth).json
    assert [e["id"] for e in listed] == [created["id"]]
    assert "secret" not in listed[0]
    one = app.test_client().get(f"/api/v1/webhooks/{created['id']}", headers=org.auth).json
    assert "secret" not in one
    with platform.current().db.unit_of_work() as session:
        stored = session.get_one(WebhookEndpoint, created["id"])
        assert created["secret"].encode() not in stored.encrypted_secret


def test_unknown_event_kinds_are_refused(app, allow_private) -> None:
    org = make_org("Sunny Developers")
    response = register(app, org, "http://127.0.0.1:9/hooks", ["reservation.created", "device.exploded"])
    assert response.status_code == 422
    assert response.json["code"] == "validation_failed"
    assert "device.exploded" in str(response.json["errors"])
    assert register(app, org, "http://127.0.0.1:9/hooks", []).status_code == 422


def test_loopback_and_private_addresses_are_refused_unless_allowed(app) -> None:
    org = make_org("Sunny Developers")
    for url in (
        "http://127.0.0.1:8080/hooks",
        "http://localhost/hooks",
        "http://10.1.2.3/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
    ):
        response = register(app, org, url, ["reservation.created"])
        assert response.status_code == 422, url
        assert response.json["code"] == "webhook_url_refused", url


def test_urls_must_be_http_without_credentials(app, allow_private) -> None:
    org = make_org("Sunny Developers")
    for url in ("ftp://example.com/x", "http://user:pw@example.com/hooks", "not a url"):
        response = register(app, org, url, ["reservation.created"])
        assert response.status_code == 422, url
        assert response.json["code"] == "webhook_url_refused", url


def test_another_organization_cannot_see_or_change_an_endpoint(app, allow_private) -> None:
    mine = make_org("Sunny Developers")
    theirs = make_org("Lake Power")
    created = registered(app, mine, "http://127.0.0.1:9/hooks", ["reservation.created"])
    client = app.test_client()
    assert client.get("/api/v1/webhooks", headers=theirs.auth).json == []
    for method, path in (
        ("GET", f"/api/v1/webhooks/{created['id']}"),
        ("PATCH", f"/api/v1/webhooks/{created['id']}"),
        ("DELETE", f"/api/v1/webhooks/{created['id']}"),
        ("POST", f"/api/v1/webhooks/{created['id']}/test"),
        ("GET", f"/api/v1/webhooks/{created['id']}/deliveries"),
    ):
        response = client.open(path, method=method, json={} if method == "PATCH" else None, headers=theirs.auth)
        assert response.status_code == 404, (method, path)
        assert response.json["code"] == "webhook_not_found"


def test_managing_endpoints_needs_the_organization_update_permission(app, allow_private) -> None:
    org = make_org("Sunny Developers")
    reader = make_api_key(org.actor, {"organization": ["READ"]})
    response = app.test_client().post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hooks", "events": ["reservation.created"]},
        headers={"Authorization": f"Bearer {reader}"},
    )
    assert response.status_code == 403
    assert response.json["code"] == "permission_missing"
    assert app.test_client().get("/api/v1/webhooks", headers={"Authorization": f"Bearer {reader}"}).status_code == 200


def test_an_endpoint_is_changed_disabled_enabled_and_removed_with_an_audit_trail(app, allow_private) -> None:
    org = make_org("Sunny Developers")
    created = registered(app, org, "http://127.0.0.1:9/hooks", ["reservation.created"])
    client = app.test_client()
    path = f"/api/v1/webhooks/{created['id']}"
    changed = client.patch(path, json={"events": ["reads.rejected"], "is_enabled": False}, headers=org.auth).json
    assert changed["events"] == ["reads.rejected"]
    assert changed["disabled_at"] is not None
    assert client.patch(path, json={"is_enabled": True}, headers=org.auth).json["disabled_at"] is None
    assert client.patch(path, json={"url": "http://[::1"}, headers=org.auth).json["code"] == "webhook_url_refused"
    assert client.delete(path, headers=org.auth).status_code == 200
    assert client.get(path, headers=org.auth).status_code == 404
    audit = signed_in(app, org.email).api("GET", "/api/v1/audit-log?action=webhook.").json["items"]
    actions = [entry["action"] for entry in audit]
    assert {"webhook.create", "webhook.update", "webhook.delete"} <= set(actions)
