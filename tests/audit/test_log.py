"""The audit log page and API (R-ACC-11): what is recorded, and who may read it."""

from tests.factories.accounts import make_member, make_org, signed_in


def test_admins_read_their_organizations_log_newest_first(app, settings) -> None:
    org = make_org("Org")
    admin = signed_in(app, org.email)
    key = admin.api("POST", "/api/v1/api-keys", {"name": "gateway"}).json
    admin.api("DELETE", f"/api/v1/api-keys/{key['id']}")
    admin.api("POST", "/api/v1/invitations", {"first_name": "A", "last_name": "B", "email": "new@example.org"})
    log = admin.api("GET", "/api/v1/audit-log").json
    actions = [entry["action"] for entry in log["items"]]
    assert actions[:4] == ["invitation.create", "api_key.revoke", "api_key.create", "user.login"]
    assert log["items"][0]["actor"] == f"Test Admin <{org.email}>"
    assert log["items"][0]["after"]["email"] == "new@example.org"


def test_the_log_filters_by_action_prefix_and_pages(app, settings) -> None:
    org = make_org("Org")
    admin = signed_in(app, org.email)
    for name in ("one", "two", "three"):
        admin.api("POST", "/api/v1/api-keys", {"name": name})
    page = admin.api("GET", "/api/v1/audit-log?action=api_key.&size=2&page=2").json
    assert (page["total"], page["page"], len(page["items"])) == (4, 2, 2)  # the factory's key + three
    assert {item["action"] for item in page["items"]} == {"api_key.create"}


def test_an_organizations_log_never_shows_another_organizations_entries(app, settings) -> None:
    first, second = make_org("First"), make_org("Second")
    signed_in(app, first.email)
    log = signed_in(app, second.email).api("GET", "/api/v1/audit-log").json
    assert str(first.actor.user_id) not in str(log)
    assert first.email not in str(log)


def test_members_who_are_not_admins_cannot_read_the_log(app, settings) -> None:
    org = make_org("Org")
    make_member(org, "member@example.org", {"organization": ["READ"]})
    member = signed_in(app, "member@example.org")
    response = member.api("GET", "/api/v1/audit-log")
    assert (response.status_code, response.json["code"]) == (403, "org_admin_required")
    assert member.client.get("/organization/audit-log").status_code == 403
    key = app.test_client().get("/api/v1/audit-log", headers=org.auth)
    assert (key.status_code, key.json["code"]) == (403, "org_admin_required")


def test_the_audit_log_page_lists_entries(app, settings) -> None:
    org = make_org("Org")
    admin = signed_in(app, org.email)
    html = admin.client.get("/organization/audit-log?action=user.").get_data(as_text=True)
    assert "user.login" in html
    assert "Test Admin" in html
