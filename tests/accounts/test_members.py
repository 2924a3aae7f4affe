"""Members and permissions (R-ACC-5): admins change members' permissions, not roles; changes apply at once."""

from sqlalchemy import select

from dapp import platform
from dapp.models.audit import AuditEntry
from tests.factories.accounts import make_member, make_org, signed_in, user_by_email

MEMBER = "member@example.org"


def test_an_admin_changes_a_members_permissions_and_they_apply_at_once(app, settings) -> None:
    org = make_org("Org")
    member_actor = make_member(org, MEMBER, {"organization": ["READ"]})
    admin, member = signed_in(app, org.email), signed_in(app, MEMBER)
    assert member.api("GET", "/api/v1/devices").status_code == 403
    response = admin.api(
        "PUT",
        f"/api/v1/members/{member_actor.user_id}/permissions",
        {"permissions": {"organization": ["READ"], "devices": ["READ", "WRITE"]}},
    )
    assert response.status_code == 200
    assert response.json["permissions"]["devices"] == ["READ", "WRITE"]
    assert response.json["permissions"]["api_keys"] == []
    assert member.api("GET", "/api/v1/devices").status_code == 200


def test_a_permission_change_is_audited_with_before_and_after(app, settings) -> None:
    org = make_org("Org")
    member_actor = make_member(org, MEMBER, {"devices": ["READ"]})
    signed_in(app, org.email).api(
        "PUT", f"/api/v1/members/{member_actor.user_id}/permissions", {"permissions": {"devices": ["READ", "WRITE"]}}
    )
    with platform.current().db.unit_of_work() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.permissions_change")).one()
        assert (entry.actor_user_id, entry.subject_id) == (org.actor.user_id, str(member_actor.user_id))
        assert entry.before == {"devices": ["READ"]}
        assert entry.after == {"devices": ["READ", "WRITE"]}


def test_an_admins_role_cannot_be_changed(app, settings) -> None:
    org = make_org("Org")
    make_member(org, MEMBER, {"users": ["READ", "UPDATE"]})
    response = signed_in(app, MEMBER).api(
        "PUT", f"/api/v1/members/{org.actor.user_id}/permissions", {"permissions": {}}
    )
    assert (response.status_code, response.json["code"]) == (403, "member_is_admin")


def test_nobody_changes_their_own_permissions(app, settings) -> None:
    org = make_org("Org")
    actor = make_member(org, MEMBER, {"users": ["READ", "UPDATE"]})
    response = signed_in(app, MEMBER).api("PUT", f"/api/v1/members/{actor.user_id}/permissions", {"permissions": {}})
    assert (response.status_code, response.json["code"]) == (403, "own_permissions")


def test_a_member_with_users_update_grants_only_what_they_hold(app, settings) -> None:
    org = make_org("Org")
    make_member(org, MEMBER, {"users": ["READ", "UPDATE"], "devices": ["READ"]})
    other = make_member(org, "other@example.org", {"devices": ["READ"]})
    response = signed_in(app, MEMBER).api(
        "PUT", f"/api/v1/members/{other.user_id}/permissions", {"permissions": {"devices": ["READ", "DELETE"]}}
    )
    assert (response.status_code, response.json["errors"][0]["code"]) == (422, "permission_not_held")


def test_a_member_of_another_organization_is_not_found(app, settings) -> None:
    org, other = make_org("Org"), make_org("Other")
    actor = make_member(org, MEMBER)
    response = signed_in(app, other.email).api(
        "PUT", f"/api/v1/members/{actor.user_id}/permissions", {"permissions": {}}
    )
    assert (response.status_code, response.json["code"]) == (404, "member_not_found")


def test_members_are_listed_with_their_permissions(app, settings) -> None:
    org = make_org("Org")
    make_member(org, MEMBER, {"devices": ["READ", "WRITE"]})
    listed = {m["email"]: m for m in signed_in(app, org.email).api("GET", "/api/v1/members").json}
    assert listed[org.email]["is_org_admin"] is True
    assert listed[org.email]["permissions"]["devices"] == ["READ", "WRITE", "UPDATE", "DELETE"]
    assert listed[MEMBER]["permissions"]["devices"] == ["READ", "WRITE"]
    assert listed[MEMBER]["permissions"]["users"] == []


def test_the_organization_page_saves_ticked_permissions(app, settings) -> None:
    org = make_org("Org")
    actor = make_member(org, MEMBER, {"devices": ["READ"]})
    admin = signed_in(app, org.email)
    page = admin.client.get("/organization").get_data(as_text=True)
    assert MEMBER in page
    form = {"perm:devices:READ": "on", "perm:devices:WRITE": "on"}
    assert admin.form(f"/organization/members/{actor.user_id}/permissions", form).status_code == 302
    assert user_by_email(MEMBER).permissions["devices"] == 3
