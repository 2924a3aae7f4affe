"""API keys act for their creator (R-ACC-8, issue 18 item 5): with the intersection of the key's permissions and
the creator's current ones; they stop when the creator is disabled or deletes their account, unless an
organization admin adopts them first; the organization is told which keys stop, and the creator is shown
theirs before deleting the account."""

from sqlalchemy import select

from dapp import platform
from dapp.models.audit import AuditEntry
from dapp.models.notify import Notification
from tests.factories.accounts import (
    PASSWORD,
    bearer,
    make_api_key,
    make_member,
    make_org,
    make_platform_admin,
    signed_in,
)
from tests.factories.devices import make_device

MEMBER = "member@example.org"
WRITER = {"devices": ["READ", "WRITE"], "api_keys": ["READ", "WRITE"]}
DEVICE = {
    "external_id": "KEY-DEV-1",
    "country_code": "KEN",
    "commissioning_date": "2026-01-15",
    "capacity_kw": "5",
    "fuel_code": "ES100",
    "device_type_code": "TC120",
}


def _org_with_member_key():
    org = make_org("Org")
    member = make_member(org, MEMBER, WRITER)
    key = make_api_key(member, {"devices": ["READ", "WRITE"]}, name="gateway")
    return org, member, key


def _key_id(admin, name: str = "gateway") -> str:
    return next(key["id"] for key in admin.api("GET", "/api/v1/api-keys").json if key["name"] == name)


def _status(app, key: str) -> int:
    return app.test_client().get("/api/v1/devices", headers=bearer(key)).status_code


def _delete_account(app, email: str) -> None:
    assert signed_in(app, email).form("/account/delete", {"password": PASSWORD}).status_code == 302


def test_a_key_loses_what_its_creator_loses(app, settings) -> None:
    org, member, key = _org_with_member_key()
    client = app.test_client()
    assert client.post("/api/v1/devices", json=DEVICE, headers=bearer(key)).status_code == 201
    admin = signed_in(app, org.email)
    narrowed = {"permissions": {"devices": ["READ"], "api_keys": ["READ"]}}
    assert admin.api("PUT", f"/api/v1/members/{member.user_id}/permissions", narrowed).status_code == 200
    refused = client.post("/api/v1/devices", json={**DEVICE, "external_id": "KEY-DEV-2"}, headers=bearer(key))
    assert (refused.status_code, refused.json["code"], refused.json["permission"]) == (
        403,
        "permission_missing",
        "WRITE",
    )
    assert _status(app, key) == 200  # READ is still held by both


def test_a_key_stops_when_its_creator_deletes_their_account_and_the_organization_is_told(app, settings) -> None:
    org, _, key = _org_with_member_key()
    make_device(org, "KEY-DEV-1")
    _delete_account(app, MEMBER)
    refused = app.test_client().get("/api/v1/devices", headers=bearer(key))
    assert (refused.status_code, refused.json["code"], refused.json["reason"]) == (
        401,
        "api_key_disabled",
        "creator_gone",
    )
    assert "deleted their account" in refused.json["detail"]
    with platform.current().db.unit_of_work() as session:
        [notice] = session.scalars(select(Notification).where(Notification.kind == "api_keys_stopped")).all()
        assert notice.organization_id == org.actor.organization_id
        assert "gateway" in notice.body
        assert MEMBER not in notice.body
    listed = signed_in(app, org.email).api("GET", "/api/v1/api-keys").json
    assert next(k for k in listed if k["name"] == "gateway")["stopped_because"] == "its creator deleted their account"


def test_a_key_adopted_first_keeps_working_with_the_admins_permissions(app, settings) -> None:
    org, _, key = _org_with_member_key()
    admin = signed_in(app, org.email)
    adopted = admin.api("POST", f"/api/v1/api-keys/{_key_id(admin)}/adoption")
    assert adopted.status_code == 200
    assert adopted.json["created_by_id"] == str(org.actor.user_id)
    _delete_account(app, MEMBER)
    assert _status(app, key) == 200
    with platform.current().db.unit_of_work() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "api_key.adopt")).one()
        assert entry.actor_user_id == org.actor.user_id
        assert entry.after == {"created_by_id": str(org.actor.user_id)}
        assert session.scalars(select(Notification).where(Notification.kind == "api_keys_stopped")).all() == []


def test_disabling_the_creator_stops_the_key_and_adopting_it_makes_it_work_again(app, settings) -> None:
    org, member, key = _org_with_member_key()
    make_platform_admin()
    operator = signed_in(app, "operator@platform.example")
    assert operator.api("POST", f"/api/v1/admin/users/{member.user_id}/disable").status_code == 200
    assert _status(app, key) == 401
    admin = signed_in(app, org.email)
    assert admin.api("POST", f"/api/v1/api-keys/{_key_id(admin)}/adoption").status_code == 200
    assert _status(app, key) == 200


def test_only_an_organization_admin_adopts_and_not_twice(app, settings) -> None:
    org, _, _ = _org_with_member_key()
    make_member(org, "keeper@example.org", {"api_keys": ["READ", "UPDATE"]})
    keeper, admin = signed_in(app, "keeper@example.org"), signed_in(app, org.email)
    key_id = _key_id(admin)
    refused = keeper.api("POST", f"/api/v1/api-keys/{key_id}/adoption")
    assert (refused.status_code, refused.json["code"]) == (403, "org_admin_required")
    assert admin.api("POST", f"/api/v1/api-keys/{key_id}/adoption").status_code == 200
    again = admin.api("POST", f"/api/v1/api-keys/{key_id}/adoption")
    assert (again.status_code, again.json["code"]) == (409, "api_key_already_yours")


def test_the_account_page_names_the_keys_that_stop_with_the_account(app, settings) -> None:
    _org_with_member_key()
    page = signed_in(app, MEMBER).client.get("/account").get_data(as_text=True)
    assert "stop working when your account is deleted" in page
    assert "gateway" in page
