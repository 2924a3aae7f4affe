"""The organization page and record (R-ACC-9)."""

from tests.factories.accounts import make_member, make_org, signed_in


def test_members_see_their_organizations_record_with_its_blockchain_account(app, settings) -> None:
    org = make_org("Sunny Solar")
    make_member(org, "reader@example.org")
    response = signed_in(app, "reader@example.org").api("GET", "/api/v1/organization")
    assert response.status_code == 200
    assert (response.json["name"], response.json["type"], response.json["address"]) == (
        "Sunny Solar",
        "developer",
        "Somewhere 1",
    )
    assert response.json["blockchain_address"].startswith("0x")


def test_admins_edit_name_and_address(app, settings) -> None:
    admin = signed_in(app, make_org("Sunny Solar").email)
    response = admin.api("PATCH", "/api/v1/organization", {"name": "Sunny Solar Ltd", "address": "2 Sun Street"})
    assert (response.status_code, response.json["name"], response.json["address"]) == (
        200,
        "Sunny Solar Ltd",
        "2 Sun Street",
    )


def test_the_type_cannot_be_changed(app, settings) -> None:
    admin = signed_in(app, make_org("Sunny Solar").email)
    response = admin.api("PATCH", "/api/v1/organization", {"type": "buyer"})
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "type"


def test_the_new_name_must_be_free_whatever_its_case(app, settings) -> None:
    make_org("Taken Name")
    admin = signed_in(app, make_org("Sunny Solar").email)
    response = admin.api("PATCH", "/api/v1/organization", {"name": "TAKEN name"})
    assert (response.status_code, response.json["code"]) == (409, "organization_name_taken")
    assert response.json["errors"][0]["field"] == "name"


def test_a_member_without_update_cannot_edit(app, settings) -> None:
    org = make_org("Sunny Solar")
    make_member(org, "reader@example.org")
    response = signed_in(app, "reader@example.org").api("PATCH", "/api/v1/organization", {"address": "x"})
    assert response.status_code == 403
    assert (response.json["module"], response.json["permission"]) == ("organization", "UPDATE")


def test_the_page_shows_members_invitations_keys_and_account(app, settings) -> None:
    org = make_org("Sunny Solar")
    make_member(org, "reader@example.org")
    admin = signed_in(app, org.email)
    admin.api("POST", "/api/v1/invitations", {"first_name": "A", "last_name": "B", "email": "pending@example.org"})
    html = admin.client.get("/organization").get_data(as_text=True)
    for expected in ("Sunny Solar", "Somewhere 1", "reader@example.org", "pending@example.org", "API keys", "0x"):
        assert expected in html


def test_a_read_only_member_sees_no_forms_to_change_anything(app, settings) -> None:
    org = make_org("Sunny Solar")
    make_member(org, "reader@example.org")
    html = signed_in(app, "reader@example.org").client.get("/organization").get_data(as_text=True)
    assert "Invite a person" not in html
    assert "Save permissions" not in html
    assert 'action="/organization"' not in html
