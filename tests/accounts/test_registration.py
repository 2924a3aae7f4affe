"""Sign-up, email confirmation and sign-in rules (R-ACC-1 … R-ACC-3)."""

import statistics
import time
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from dapp import platform, security
from dapp.accounts.schemas import RegistrationCreate
from dapp.accounts.service import registration
from dapp.models.accounts import ApiKey, Organization, OrganizationType, User
from tests.support.journeys import PASSWORD, confirmation_token, csrf_token, onboard, register, sign_in
from tests.support.mailbox import confirmation_tokens, link_tokens, messages_to


def test_a_registered_email_gets_the_same_answer_and_its_owner_an_email(app, settings) -> None:
    """Sign-up reveals no account (issue 18): the answer for a registered email, whatever its case, is the answer
    for a new one; nothing is created, and the owner learns of the attempt by email, with a reset link."""
    client = app.test_client()
    first = register(client, "developer", "First Org", "Ana@Example.org")
    again = register(client, "buyer", "Second Org", "ana@example.ORG")
    fresh = register(client, "buyer", "Third Org", "new@example.org")
    assert (first.status_code, again.status_code, fresh.status_code) == (202, 202, 202)
    assert again.json == {**fresh.json, "email": again.json["email"]}
    with platform.current().db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Organization)) == 2  # First and Third
    subjects = [subject for subject, _ in messages_to(settings.mail_dir, "Ana@example.org")]
    assert subjects == ["Confirm your email address", "Someone tried to register with your email address"]
    [reset] = link_tokens(settings.mail_dir, "Ana@example.org", "/reset-password")
    new = "a quiet river at dawn"
    body = {"token": reset, "password": new, "password_confirmation": new}
    assert client.post("/api/v1/password-resets", json=body).status_code == 200


def test_organization_name_is_unique_whatever_its_case(app, settings) -> None:
    client = app.test_client()
    register(client, "developer", "Sunny Solar", "a@example.org")
    again = register(client, "developer", "SUNNY solar", "b@example.org")
    assert (again.status_code, again.json["code"]) == (409, "organization_name_taken")


@pytest.mark.parametrize(
    ("password", "code"), [("short1!", "password_too_short"), ("password123", "password_too_common")]
)
def test_weak_passwords_are_refused(app, settings, password, code) -> None:
    response = register(app.test_client(), "buyer", "Org", "a@example.org", password=password)
    assert response.status_code == 422
    assert response.json["errors"][0] == {"field": "password", "code": code, "message": response.json["detail"]}
    with platform.current().db.unit_of_work() as session:
        assert session.scalars(select(User)).all() == []


def test_password_confirmation_must_match(app, settings) -> None:
    response = register(app.test_client(), "buyer", "Org", "a@example.org", confirmation=PASSWORD + "x")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "password_confirmation"


def test_sign_in_needs_a_confirmed_email_and_the_link_works_once(app, settings) -> None:
    client = app.test_client()
    register(client, "developer", "Org", "dev@example.org")
    refused = sign_in(client, "dev@example.org")
    assert refused.status_code == 401
    assert "Confirm your email" in refused.get_data(as_text=True)
    token = confirmation_token(settings.mail_dir, "dev@example.org")
    assert client.post("/api/v1/email-confirmations", json={"token": token}).status_code == 200
    reused = client.post("/api/v1/email-confirmations", json={"token": token})
    assert (reused.status_code, reused.json["code"]) == (422, "invalid_token")
    assert sign_in(client, "dev@example.org").status_code == 302


def test_confirmation_links_expire_after_24_hours(app, settings) -> None:
    client = app.test_client()
    register(client, "developer", "Org", "dev@example.org")
    token = confirmation_token(settings.mail_dir, "dev@example.org")
    clock = platform.current().clock
    clock.set(clock.now() + timedelta(hours=24, minutes=1))
    expired = client.post("/api/v1/email-confirmations", json={"token": token})
    assert (expired.status_code, expired.json["code"]) == (422, "invalid_token")


def test_passwords_are_stored_as_argon2id_hashes(app, settings) -> None:
    register(app.test_client(), "developer", "Org", "dev@example.org")
    with platform.current().db.unit_of_work() as session:
        [user] = session.scalars(select(User))
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_api_key_secret_is_shown_once_and_stored_only_hashed(app, settings) -> None:
    member = onboard(app, settings.mail_dir, "developer", "Org", "dev@example.org")
    created = member.api("POST", "/api/v1/api-keys", {"name": "gateway"})
    secret = created.json["key"]
    listed = member.api("GET", "/api/v1/api-keys").json
    assert all("key" not in item for item in listed)
    with platform.current().db.unit_of_work() as session:
        [stored] = session.scalars(select(ApiKey))
        assert secret.split("_")[2] not in stored.secret_hash
        assert stored.permissions == {module: 1 for module in stored.permissions}  # none asked → read-only


def test_expired_api_keys_are_refused(app, settings) -> None:
    member = onboard(app, settings.mail_dir, "developer", "Org", "dev@example.org")
    expires = (platform.current().clock.now() + timedelta(hours=1)).isoformat()
    secret = member.api("POST", "/api/v1/api-keys", {"name": "short-lived", "expires_at": expires}).json["key"]
    client = app.test_client()
    assert client.get("/api/v1/devices", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    clock = platform.current().clock
    clock.set(clock.now() + timedelta(hours=2))
    refused = client.get("/api/v1/devices", headers={"Authorization": f"Bearer {secret}"})
    assert (refused.status_code, refused.json["code"]) == (401, "invalid_api_key")


def test_session_api_calls_that_change_data_need_the_csrf_header(app, settings) -> None:
    member = onboard(app, settings.mail_dir, "developer", "Org", "dev@example.org")
    response = member.client.post("/api/v1/api-keys", json={"name": "no csrf"})
    assert (response.status_code, response.json["code"]) == (403, "csrf_failed")


def test_resending_the_confirmation_sends_a_new_link_and_the_old_one_stops_working(app, settings) -> None:
    client = app.test_client()
    register(client, "developer", "Org", "dev@example.org")
    first = confirmation_token(settings.mail_dir, "dev@example.org")
    response = client.post("/api/v1/email-confirmation-requests", json={"email": "DEV@example.org"})
    assert response.status_code == 202
    tokens = confirmation_tokens(settings.mail_dir, "dev@example.org")
    assert len(tokens) == 2
    assert tokens[-1] != first
    old = client.post("/api/v1/email-confirmations", json={"token": first})
    assert (old.status_code, old.json["code"]) == (422, "invalid_token")
    assert client.post("/api/v1/email-confirmations", json={"token": tokens[-1]}).status_code == 200


def test_resending_answers_the_same_for_unknown_and_confirmed_emails_and_sends_nothing(app, settings) -> None:
    member = onboard(app, settings.mail_dir, "developer", "Org", "dev@example.org")
    before = len(list(settings.mail_dir.glob("*.eml")))
    unknown = member.client.post("/api/v1/email-confirmation-requests", json={"email": "nobody@example.org"})
    confirmed = member.client.post("/api/v1/email-confirmation-requests", json={"email": "dev@example.org"})
    assert (unknown.status_code, unknown.json) == (confirmed.status_code, confirmed.json)
    assert len(list(settings.mail_dir.glob("*.eml"))) == before


def test_the_resend_page_sends_a_link_without_telling_whether_the_account_exists(app, settings) -> None:
    client = app.test_client()
    register(client, "developer", "Org", "dev@example.org")
    token = csrf_token(client, "/confirm-email/resend")
    known = client.post("/confirm-email/resend", data={"email": "dev@example.org", "csrf_token": token})
    unknown = client.post("/confirm-email/resend", data={"email": "x@example.org", "csrf_token": token})
    assert known.status_code == unknown.status_code == 302
    assert len(confirmation_tokens(settings.mail_dir, "dev@example.org")) == 2


def test_signing_up_with_a_registered_email_takes_as_long_as_with_a_new_one(app, settings) -> None:
    """With the production Argon2id cost, the median time of a sign-up is the same, within a factor of two, for a
    registered email (nothing is created) and a new one (without hashing the password it is far quicker)."""
    production, security._hasher = security._hasher, PasswordHasher()
    try:
        taken = [_timed_sign_up("taken@example.org", f"Org {n}") for n in range(6)][1:]  # the first one creates it
        fresh = [_timed_sign_up(f"new{n}@example.org", f"Fresh Org {n}") for n in range(5)]
    finally:
        security._hasher = production
    assert 0.5 < statistics.median(taken) / statistics.median(fresh) < 2, (taken, fresh)


def _timed_sign_up(email: str, organization: str) -> float:
    p = platform.current()
    data = RegistrationCreate(
        first_name="Ada",
        last_name="Okafor",
        email=email,
        organization_type=OrganizationType.DEVELOPER,
        organization_name=organization,
        organization_address="1 Solar Road",
        password=PASSWORD,
        password_confirmation=PASSWORD,
    )
    started = time.perf_counter()
    with p.db.unit_of_work() as session:
        registration.register(session, p.clock.now(), p.redis, p.settings.secret_key, data)
    return time.perf_counter() - started
