"""API keys (R-ACC-8): permission subset, expiry, revocation, last use; disabled owners stop them."""

from datetime import timedelta

from sqlalchemy import select

from dapp import platform
from dapp.models.accounts import ApiKey
from dapp.models.audit import AuditEntry
from tests.factories.accounts import bearer, make_api_key, make_member, make_org, signed_in


def test_a_revoked_key_stops_working_at_once_and_the_revocation_is_audited(app, settings) -> None:
    org = make_org("Org")
    admin = signed_in(app, org.email)
    created = admin.api("POST", "/api/v1/api-keys", {"name": "gateway"}).json
    client = app.test_client()
    assert client.get("/api/v1/organization", headers=bearer(created["key"])).status_code == 200
    revoked = admin.api("DELETE", f"/api/v1/api-keys/{created['id']}")
    assert revoked.status_code == 200
    assert revoked.json["revoked_at"] is not None
    refused = client.get("/api/v1/organization", headers=bearer(created["key"]))
    assert (refused.status_code, refused.json["code"]) == (401, "invalid_api_key")
    with platform.current().db.unit_of_work() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == created["id"])).all()
    assert actions == ["api_key.create", "api_key.revoke"]


def test_a_key_records_when_it_was_last_used(app, settings) -> None:
    org = make_org("Org")
    key = make_api_key(org.actor, None)
    app.test_client().get("/api/v1/organization", headers=bearer(key))
    with platform.current().db.unit_of_work() as session:
        stored = session.scalars(select(ApiKey).where(ApiKey.name == "machine")).one()
        assert stored.last_used_at is not None


def test_a_key_cannot_expire_in_the_past(app, settings) -> None:
    admin = signed_in(app, make_org("Org").email)
    past = (platform.current().clock.now() - timedelta(minutes=1)).isoformat()
    response = admin.api("POST", "/api/v1/api-keys", {"name": "old", "expires_at": past})
    assert (response.status_code, response.json["errors"][0]["code"]) == (422, "expiry_in_past")


def test_an_expiry_without_a_time_zone_is_refused(app, settings) -> None:
    admin = signed_in(app, make_org("Org").email)
    response = admin.api("POST", "/api/v1/api-keys", {"name": "naive", "expires_at": "2030-01-01T00:00:00"})
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "expires_at"


def test_a_key_holds_no_more_than_its_creator(app, settings) -> None:
    org = make_org("Org")
    make_member(org, "keys@example.org", {"api_keys": ["READ", "WRITE"], "devices": ["READ"]})
    response = signed_in(app, "keys@example.org").api(
        "POST", "/api/v1/api-keys", {"name": "too much", "permissions": {"devices": ["READ", "WRITE"]}}
    )
    assert (response.status_code, response.json["errors"][0]["code"]) == (422, "permission_not_held")


def test_an_api_key_cannot_make_another_key(app, settings) -> None:
    org = make_org("Org")
    response = app.test_client().post("/api/v1/api-keys", json={"name": "child"}, headers=org.auth)
    assert (response.status_code, response.json["code"]) == (403, "person_required")


def test_another_organizations_key_is_not_found(app, settings) -> None:
    org, other = make_org("Org"), make_org("Other")
    admin = signed_in(app, org.email)
    key_id = admin.api("GET", "/api/v1/api-keys").json[0]["id"]
    response = signed_in(app, other.email).api("DELETE", f"/api/v1/api-keys/{key_id}")
    assert (response.status_code, response.json["code"]) == (404, "api_key_not_found")
    assert admin.api("GET", "/api/v1/api-keys").json[0]["revoked_at"] is None


def test_the_api_keys_page_creates_and_revokes_keys(app, settings) -> None:
    admin = signed_in(app, make_org("Org").email)
    page = admin.form("/api-keys", {"name": "meter gateway", "perm:meter_reads:WRITE": "on"})
    html = page.get_data(as_text=True)
    assert 'id="new-api-key"' in html
    key_id = next(k["id"] for k in admin.api("GET", "/api/v1/api-keys").json if k["name"] == "meter gateway")
    assert admin.form(f"/api-keys/{key_id}/revoke", {}).status_code == 302
    assert "revoked" in admin.client.get("/api-keys").get_data(as_text=True)


def test_the_api_keys_page_offers_presets_beside_the_grid(app, settings) -> None:
    admin = signed_in(app, make_org("Org").email)
    html = admin.client.get("/api-keys").get_data(as_text=True)
    assert "Send meter reads" in html
    assert "Read-only" in html
    admin.form("/api-keys", {"name": "gateway", "preset": "send_reads"})
    admin.form("/api-keys", {"name": "dashboard", "preset": "read_only", "perm:devices:WRITE": "on"})
    admin.form("/api-keys", {"name": "custom", "preset": "custom", "perm:devices:WRITE": "on"})
    keys = {k["name"]: k["permissions"] for k in admin.api("GET", "/api/v1/api-keys").json}
    assert {m: p for m, p in keys["gateway"].items() if p} == {"devices": 1, "meter_reads": 1 | 2}  # READ, WRITE
    assert all(p in (0, 1) for p in keys["dashboard"].values())  # read-only, whatever was ticked
    assert keys["custom"]["devices"] & 2
