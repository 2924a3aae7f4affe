"""GDPR (R-ACC-10): export of one's personal data, and anonymisation that keeps the registry records."""

from sqlalchemy import String, cast, func, select

from dapp import platform
from dapp.models.accounts import Invitation, User
from dapp.models.audit import AuditEntry
from dapp.models.devices import Device
from tests.factories.accounts import PASSWORD, make_api_key, make_member, make_org, signed_in, user_by_email
from tests.factories.devices import make_device
from tests.support.journeys import sign_in

MEMBER = "ada.member@example.org"


def test_the_export_holds_profile_organization_keys_invitations_and_actions(app, settings) -> None:
    org = make_org("Org")
    member_actor = make_member(org, MEMBER, {"api_keys": ["READ", "WRITE"]})
    make_api_key(member_actor, {"api_keys": ["READ"]}, name="meter gateway")
    member = signed_in(app, MEMBER)
    export = member.api("GET", "/api/v1/me/personal-data")
    assert export.status_code == 200
    data = export.json
    assert (data["profile"]["email"], data["profile"]["first_name"]) == (MEMBER, "Mem")
    assert data["organization"]["name"] == "Org"
    assert [key["name"] for key in data["api_keys_created"]] == ["meter gateway"]
    assert [i["email"] for i in data["invitations_received"]] == [MEMBER]
    assert {a["action"] for a in data["actions"]} >= {"invitation.accept", "api_key.create", "user.login"}


def test_the_export_is_downloadable_as_a_json_file_from_the_account_page(app, settings) -> None:
    member = signed_in(app, make_org("Org").email)
    response = member.client.get("/account/personal-data.json")
    assert response.headers["Content-Disposition"] == 'attachment; filename="drec-personal-data.json"'
    assert response.json["profile"]["email"] == member.email


def test_anonymising_replaces_name_and_email_everywhere_and_closes_the_account(app, settings) -> None:
    org = make_org("Org")
    user_id = make_member(org, MEMBER).user_id
    member = signed_in(app, MEMBER)
    response = member.api("POST", "/api/v1/me/anonymisation", {"password": PASSWORD})
    assert response.status_code == 200
    user = user_by_email(f"deleted-{user_id}@anonymised.invalid")
    assert (user.first_name, user.last_name, user.anonymised_at is not None) == ("Deleted", "person", True)
    with platform.current().db.unit_of_work() as session:
        assert session.scalar(select(func.count()).where(func.lower(User.email) == MEMBER)) == 0
        assert session.scalar(select(func.count()).where(func.lower(Invitation.email) == MEMBER)) == 0
        leaks = select(func.count()).where(func.lower(cast(AuditEntry.after, String)).contains(MEMBER))
        assert session.scalar(leaks) == 0
    assert sign_in(app.test_client(), MEMBER).status_code == 401
    assert member.client.get("/api/v1/organization").status_code == 401


def test_anonymising_keeps_the_organizations_registry_records(app, settings) -> None:
    org = make_org("Org")
    make_device(org, "DEV-GDPR")
    admin = signed_in(app, org.email)
    assert admin.api("POST", "/api/v1/me/anonymisation", {"password": PASSWORD}).status_code == 200
    with platform.current().db.unit_of_work() as session:
        assert session.scalar(select(func.count()).where(Device.external_id == "DEV-GDPR")) == 1
        assert session.scalar(select(func.count()).where(AuditEntry.action == "user.anonymise")) == 1


def test_anonymising_needs_the_password(app, settings) -> None:
    member = signed_in(app, make_org("Org").email)
    response = member.api("POST", "/api/v1/me/anonymisation", {"password": "wrong wrong wrong"})
    assert (response.status_code, response.json["errors"][0]["field"]) == (422, "password")
    assert member.client.get("/api/v1/organization").status_code == 200


def test_api_keys_cannot_export_or_delete_a_person(app, settings) -> None:
    org = make_org("Org")
    response = app.test_client().get("/api/v1/me/personal-data", headers=org.auth)
    assert (response.status_code, response.json["code"]) == (403, "person_required")
