"""Invitations (R-ACC-4): permissions granted, password set by the invitee, accept/reject, expiry, revocation."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dapp import platform
from dapp.access.permissions import Module, modules_of
from dapp.models.accounts import User
from tests.factories.accounts import PASSWORD, make_api_key, make_member, make_org, signed_in
from tests.support.journeys import csrf_token, register, sign_in
from tests.support.mailbox import link_tokens, messages_to
from tests.support.workers import deliver_emails

INVITEE = "new.member@example.org"
ALL_MODULES = [module.value for module in modules_of("developer")]


def _invite(admin, email: str = INVITEE, permissions=None):
    """Invite, and let the email worker send the invitation (as it does within seconds)."""
    body = {"first_name": "Nia", "last_name": "Mwangi", "email": email}
    if permissions is not None:
        body["permissions"] = permissions
    response = admin.api("POST", "/api/v1/invitations", body)
    deliver_emails()
    return response


def _token(settings, email: str = INVITEE) -> str:
    return link_tokens(settings.mail_dir, email, "/invitations/respond")[-1]


def _accept(client, token: str, password: str = PASSWORD):
    return client.post(
        "/api/v1/invitation-acceptances",
        json={"token": token, "password": password, "password_confirmation": password},
    )


def _users(email: str) -> int:
    with platform.current().db.unit_of_work() as session:
        return session.scalar(select(func.count()).where(func.lower(User.email) == email)) or 0


def test_the_invitee_chooses_a_password_and_joins_with_the_granted_permissions(app, settings) -> None:
    org = make_org("Org")
    admin = signed_in(app, org.email)
    created = _invite(admin, permissions={"devices": ["READ", "WRITE"]})
    assert created.status_code == 201
    assert created.json["status"] == "pending"
    assert _users(INVITEE) == 0  # no account before acceptance
    [(subject, body)] = messages_to(settings.mail_dir, INVITEE)
    assert "invites you to Org" in subject
    assert PASSWORD not in body
    assert "devices: READ, WRITE" in body
    accepted = _accept(app.test_client(), _token(settings))
    assert accepted.status_code == 201
    member = signed_in(app, INVITEE)
    assert member.api("GET", "/api/v1/devices").status_code == 200
    refused = member.api("GET", "/api/v1/reservations")
    assert (refused.status_code, refused.json["module"], refused.json["permission"]) == (403, "reservations", "READ")


def test_an_invitation_without_permissions_gives_read_only_access(app, settings) -> None:
    org = make_org("Org")
    admin = signed_in(app, org.email)
    permissions = _invite(admin).json["permissions"]
    # READ on every module a developer organization may hold (R-ACC-5: never reservations)
    assert permissions == {module.value: ["READ"] for module in Module} | {"reservations": []}
    _accept(app.test_client(), _token(settings))
    member = signed_in(app, INVITEE)
    assert member.api("GET", "/api/v1/api-keys").status_code == 200
    write = member.api("POST", "/api/v1/api-keys", {"name": "nope"})
    assert (write.status_code, write.json["code"]) == (403, "permission_missing")


def test_rejecting_creates_no_account_and_ends_the_link(app, settings) -> None:
    org = make_org("Org")
    _invite(signed_in(app, org.email))
    token = _token(settings)
    client = app.test_client()
    assert client.post("/api/v1/invitation-rejections", json={"token": token}).status_code == 200
    late = _accept(client, token)
    assert (late.status_code, late.json["code"]) == (422, "invitation_not_pending")
    assert _users(INVITEE) == 0


def test_invitations_expire_after_seven_days(app, settings) -> None:
    org = make_org("Org")
    _invite(signed_in(app, org.email))
    clock = platform.current().clock
    clock.set(clock.now() + timedelta(days=7, seconds=1))
    expired = _accept(app.test_client(), _token(settings))
    assert (expired.status_code, expired.json["code"]) == (422, "invitation_expired")
    assert _users(INVITEE) == 0


def test_an_expired_invitation_can_be_sent_again(app, settings) -> None:
    org = make_org("Org")
    _invite(signed_in(app, org.email))
    clock = platform.current().clock
    clock.set(clock.now() + timedelta(days=8))
    assert _invite(signed_in(app, org.email)).status_code == 201
    assert _accept(app.test_client(), _token(settings)).status_code == 201


def test_a_revoked_invitation_cannot_be_accepted(app, settings) -> None:
    org = make_org("Org")
    admin = signed_in(app, org.email)
    invitation_id = _invite(admin).json["id"]
    revoked = admin.api("DELETE", f"/api/v1/invitations/{invitation_id}")
    assert (revoked.status_code, revoked.json["status"]) == (200, "revoked")
    refused = _accept(app.test_client(), _token(settings))
    assert (refused.status_code, refused.json["code"]) == (422, "invitation_not_pending")
    again = admin.api("DELETE", f"/api/v1/invitations/{invitation_id}")
    assert (again.status_code, again.json["code"]) == (409, "invitation_not_pending")


def test_a_person_already_in_an_organization_cannot_be_invited_into_another(app, settings) -> None:
    first, second = make_org("First"), make_org("Second")
    response = _invite(signed_in(app, second.email), email=first.email.upper())
    assert response.status_code == 409
    assert response.json["code"] == "already_in_organization"
    assert response.json["errors"][0]["field"] == "email"


def test_an_invitation_accepted_elsewhere_first_blocks_the_other(app, settings) -> None:
    first, second = make_org("First"), make_org("Second")
    _invite(signed_in(app, first.email))
    _invite(signed_in(app, second.email))
    first_token, second_token = link_tokens(settings.mail_dir, INVITEE, "/invitations/respond")
    assert _accept(app.test_client(), first_token).status_code == 201
    refused = _accept(app.test_client(), second_token)
    assert (refused.status_code, refused.json["code"]) == (409, "already_in_organization")


def test_one_pending_invitation_per_person_and_organization(app, settings) -> None:
    org = make_org("Org")
    admin = signed_in(app, org.email)
    _invite(admin)
    again = _invite(admin, email=INVITEE.upper())
    assert (again.status_code, again.json["code"]) == (409, "invitation_pending")


def test_nobody_grants_a_permission_they_do_not_hold(app, settings) -> None:
    org = make_org("Org")
    make_member(org, "inviter@example.org", {"users": ["READ", "WRITE"], "devices": ["READ"]})
    inviter = signed_in(app, "inviter@example.org")
    response = _invite(inviter, permissions={"devices": ["READ", "DELETE"]})
    assert response.status_code == 422
    assert response.json["errors"][0]["code"] == "permission_not_held"
    assert "DELETE" in response.json["detail"]


def test_unknown_modules_and_permissions_are_named_with_the_accepted_values(app, settings) -> None:
    admin = signed_in(app, make_org("Org").email)
    module = _invite(admin, permissions={"gadgets": ["READ"]})
    assert module.json["errors"][0]["code"] == "unknown_module"
    assert "devices" in module.json["detail"]
    permission = _invite(admin, permissions={"devices": ["FLY"]})
    assert permission.json["errors"][0]["code"] == "unknown_permission"
    assert "READ, WRITE, UPDATE, DELETE" in permission.json["detail"]


def test_accepting_needs_a_password_that_follows_the_policy(app, settings) -> None:
    org = make_org("Org")
    _invite(signed_in(app, org.email))
    weak = _accept(app.test_client(), _token(settings), "password123")
    assert (weak.status_code, weak.json["errors"][0]["code"]) == (422, "password_too_common")
    assert _users(INVITEE) == 0


def test_another_organizations_invitation_is_not_found(app, settings) -> None:
    org, other = make_org("Org"), make_org("Other")
    invitation_id = _invite(signed_in(app, org.email)).json["id"]
    response = signed_in(app, other.email).api("DELETE", f"/api/v1/invitations/{invitation_id}")
    assert (response.status_code, response.json["code"]) == (404, "invitation_not_found")


def test_an_api_key_with_users_write_can_invite(app, settings) -> None:
    org = make_org("Org")
    key = make_api_key(org.actor, {**{module: ["READ"] for module in ALL_MODULES}, "users": ["READ", "WRITE"]})
    response = app.test_client().post(
        "/api/v1/invitations",
        json={"first_name": "Nia", "last_name": "Mwangi", "email": INVITEE},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201


def test_the_invitation_page_accepts_with_a_password_and_the_member_can_sign_in(app, settings) -> None:
    org = make_org("Org")
    admin = signed_in(app, org.email)
    form = {"first_name": "Nia", "last_name": "Mwangi", "email": INVITEE, "perm:devices:READ": "on"}
    assert admin.form("/organization/invitations", form).status_code == 302
    token = _token(settings)
    client = app.test_client()
    page = client.get(f"/invitations/respond?token={token}")
    assert "invited to join" in page.get_data(as_text=True)
    csrf = csrf_token(client, f"/invitations/respond?token={token}")
    answer = {"token": token, "password": PASSWORD, "password_confirmation": PASSWORD, "answer": "accept"}
    assert client.post("/invitations/respond", data={**answer, "csrf_token": csrf}).status_code == 302
    assert sign_in(app.test_client(), INVITEE).status_code == 302


@pytest.mark.parametrize("name", ["Sunny\nSolar", "Sunny\r\nBcc: victim@example.org", "Sunny\rSolar"])
def test_an_organization_name_must_fit_on_one_line(app, settings, name) -> None:
    """A name goes into email subjects and headers; a line break in it once stored an invitation whose email
    could never be sent."""
    response = register(app.test_client(), "developer", name, "a@example.org")
    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == ["organization_name"]


def test_an_organization_renamed_with_a_line_break_is_refused_and_invitations_still_go_out(app, settings) -> None:
    org = make_org("Sunny")
    client = app.test_client()
    response = client.patch("/api/v1/organization", json={"name": "Sunny\nSolar"}, headers=org.auth)
    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == ["name"]
    invited = client.post(
        "/api/v1/invitations",
        json={"first_name": "Ina", "last_name": "Vited", "email": "ina@example.org"},
        headers=org.auth,
    )
    assert invited.status_code == 201
    [(subject, _body)] = messages_to(settings.mail_dir, "ina@example.org")
    assert "Sunny" in subject
