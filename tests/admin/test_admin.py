"""Platform admin (R-ACC-7): created by `drec admin create` only; lists and disables organizations and users."""

import io

import pytest

from dapp import cli
from dapp.models.accounts import User
from tests.factories.accounts import PASSWORD, bearer, make_org, make_platform_admin, signed_in, user_by_email
from tests.support.journeys import register, sign_in

OPERATOR = "operator@platform.example"


def test_drec_admin_create_makes_a_platform_admin_who_lands_on_the_dashboard(app, settings, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    cli.main(
        ["admin", "create", "--email", OPERATOR, "--first-name", "Op", "--last-name", "Erator", "--password-stdin"]
    )
    admin = user_by_email(OPERATOR)
    assert (admin.is_platform_admin, admin.organization_id) == (True, None)
    response = sign_in(app.test_client(), OPERATOR)
    assert response.headers["Location"] == "/admin"


def test_drec_admin_create_refuses_a_taken_email_and_a_weak_password(app, settings, monkeypatch) -> None:
    org = make_org("Org")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    with pytest.raises(SystemExit, match="already exists"):
        cli.main(["admin", "create", "--email", org.email, "--first-name", "A", "--last-name", "B", "--password-stdin"])
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(SystemExit, match="at least 10 characters"):
        cli.main(["admin", "create", "--email", OPERATOR, "--first-name", "A", "--last-name", "B", "--password-stdin"])


def test_sign_up_cannot_make_a_platform_admin(app, settings) -> None:
    client = app.test_client()
    response = client.post(
        "/api/v1/registrations",
        json={
            "first_name": "Eve",
            "last_name": "X",
            "email": "eve@example.org",
            "organization_type": "developer",
            "organization_name": "Eve Org",
            "organization_address": "1 Road",
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
            "is_platform_admin": True,
        },
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "is_platform_admin"
    register(client, "developer", "Eve Org", "eve@example.org")
    assert user_by_email("eve@example.org").is_platform_admin is False


def test_a_platform_admin_lists_organizations_and_users(app, settings) -> None:
    make_org("Alpha")
    make_org("Beta")
    make_platform_admin(OPERATOR)
    admin = signed_in(app, OPERATOR)
    organizations = admin.api("GET", "/api/v1/admin/organizations").json
    assert [(o["name"], o["members"]) for o in organizations] == [("Alpha", 1), ("Beta", 1)]
    alpha = organizations[0]["id"]
    users = admin.api("GET", f"/api/v1/admin/users?organization_id={alpha}").json
    assert [u["email"] for u in users] == ["admin@alpha.example"]
    bad = admin.api("GET", "/api/v1/admin/users?organization_id=nope")
    assert (bad.status_code, bad.json["errors"][0]["field"]) == (422, "organization_id")
    assert "Alpha" in admin.client.get("/admin").get_data(as_text=True)


def test_disabling_an_organization_stops_its_sessions_and_keys_until_enabled(app, settings) -> None:
    org = make_org("Alpha")
    member = signed_in(app, org.email)
    make_platform_admin(OPERATOR)
    admin = signed_in(app, OPERATOR)
    org_id = str(org.actor.organization_id)
    assert admin.api("POST", f"/api/v1/admin/organizations/{org_id}/disable").json["disabled_at"] is not None
    assert member.client.get("/api/v1/organization").status_code == 401
    refused = app.test_client().get("/api/v1/organization", headers=org.auth)
    assert (refused.status_code, refused.json["code"]) == (401, "api_key_disabled")
    assert sign_in(app.test_client(), org.email).status_code == 401
    admin.api("POST", f"/api/v1/admin/organizations/{org_id}/enable")
    assert app.test_client().get("/api/v1/organization", headers=org.auth).status_code == 200
    assert sign_in(app.test_client(), org.email).status_code == 302


def test_disabling_a_user_stops_their_session_and_the_keys_they_made(app, settings) -> None:
    org = make_org("Alpha")
    member = signed_in(app, org.email)
    make_platform_admin(OPERATOR)
    admin = signed_in(app, OPERATOR)
    response = admin.form(f"/admin/users/{org.actor.user_id}/disable", {})
    assert response.status_code == 302
    assert member.client.get("/api/v1/organization").status_code == 401
    assert app.test_client().get("/api/v1/organization", headers=bearer(org.api_key)).status_code == 401
    with pytest.raises(AssertionError):
        signed_in(app, org.email)


def test_a_platform_admin_cannot_disable_themselves(app, settings) -> None:
    operator = make_platform_admin(OPERATOR)
    response = signed_in(app, OPERATOR).api("POST", f"/api/v1/admin/users/{operator.id}/disable")
    assert (response.status_code, response.json["code"]) == (403, "own_account")


def test_members_and_api_keys_cannot_use_admin_routes(app, settings) -> None:
    org = make_org("Alpha")
    member = signed_in(app, org.email).api("GET", "/api/v1/admin/organizations")
    assert (member.status_code, member.json["code"]) == (403, "platform_admin_required")
    key = app.test_client().get("/api/v1/admin/organizations", headers=org.auth)
    assert (key.status_code, key.json["code"]) == (403, "platform_admin_required")
    assert signed_in(app, org.email).client.get("/admin").status_code == 403


def test_a_platform_admin_holds_no_organization_permissions(app, settings) -> None:
    make_platform_admin(OPERATOR)
    response = signed_in(app, OPERATOR).api("GET", "/api/v1/devices")
    assert (response.status_code, response.json["code"]) == (403, "permission_missing")


def test_an_unknown_organization_is_not_found(app, settings) -> None:
    make_platform_admin(OPERATOR)
    response = signed_in(app, OPERATOR).api(
        "POST", "/api/v1/admin/organizations/00000000-0000-0000-0000-000000000001/disable"
    )
    assert (response.status_code, response.json["code"]) == (404, "organization_not_found")


def test_user_model_keeps_platform_admins_outside_organizations(app, settings) -> None:
    assert User.__table__.c.organization_id.nullable
