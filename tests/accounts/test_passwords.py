"""Password change and reset by email (R-ACC-2): single-use, one hour, never revealing who is registered."""

from datetime import timedelta

from dapp import platform
from tests.factories.accounts import PASSWORD, make_org, signed_in
from tests.support.journeys import confirmation_token, csrf_token, register, sign_in
from tests.support.mailbox import link_tokens, messages_to

NEW = "a brand new passphrase"


def _reset_tokens(settings, email: str) -> list[str]:
    return link_tokens(settings.mail_dir, email, "/reset-password")


def _reset(client, token: str, password: str = NEW):
    return client.post(
        "/api/v1/password-resets", json={"token": token, "password": password, "password_confirmation": password}
    )


def test_a_password_change_needs_the_current_password(app, settings) -> None:
    org = make_org("Org")
    member = signed_in(app, org.email)
    wrong = member.api(
        "PUT",
        "/api/v1/me/password",
        {"current_password": "guess guess guess", "new_password": NEW, "new_password_confirmation": NEW},
    )
    assert wrong.status_code == 422
    assert wrong.json["errors"][0]["field"] == "current_password"
    assert wrong.json["errors"][0]["code"] == "wrong_password"


def test_a_new_password_follows_the_policy(app, settings) -> None:
    org = make_org("Org")
    member = signed_in(app, org.email)
    body = {"current_password": PASSWORD, "new_password": "short", "new_password_confirmation": "short"}
    response = member.api("PUT", "/api/v1/me/password", body)
    assert response.status_code == 422
    assert response.json["errors"][0] == {
        "field": "new_password",
        "code": "password_too_short",
        "message": response.json["detail"],
    }


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, settings) -> None:
    org = make_org("Org")
    this, other = signed_in(app, org.email), signed_in(app, org.email)
    body = {"current_password": PASSWORD, "new_password": NEW, "new_password_confirmation": NEW}
    assert this.form("/account/password", body).status_code == 302
    assert this.client.get("/api/v1/organization").status_code == 200
    assert other.client.get("/api/v1/organization").status_code == 401
    assert sign_in(app.test_client(), org.email, PASSWORD).status_code == 401
    assert sign_in(app.test_client(), org.email, NEW).status_code == 302


def test_a_reset_link_sets_a_new_password_once(app, settings) -> None:
    org = make_org("Org")
    client = app.test_client()
    assert client.post("/api/v1/password-reset-requests", json={"email": org.email}).status_code == 202
    [token] = _reset_tokens(settings, org.email)
    assert _reset(client, token).status_code == 200
    again = _reset(client, token, "yet another passphrase")
    assert (again.status_code, again.json["code"]) == (422, "invalid_token")
    assert sign_in(app.test_client(), org.email, NEW).status_code == 302


def test_a_reset_link_expires_after_one_hour(app, settings) -> None:
    org = make_org("Org")
    client = app.test_client()
    client.post("/api/v1/password-reset-requests", json={"email": org.email})
    [token] = _reset_tokens(settings, org.email)
    clock = platform.current().clock
    clock.set(clock.now() + timedelta(hours=1, seconds=1))
    expired = _reset(client, token)
    assert (expired.status_code, expired.json["code"]) == (422, "invalid_token")


def test_asking_again_makes_the_earlier_reset_link_useless(app, settings) -> None:
    org = make_org("Org")
    client = app.test_client()
    client.post("/api/v1/password-reset-requests", json={"email": org.email})
    client.post("/api/v1/password-reset-requests", json={"email": org.email})
    first, second = _reset_tokens(settings, org.email)
    assert _reset(client, first).json["code"] == "invalid_token"
    assert _reset(client, second).status_code == 200


def test_a_reset_request_answers_the_same_whether_or_not_the_email_is_registered(app, settings) -> None:
    org = make_org("Org")
    client = app.test_client()
    known = client.post("/api/v1/password-reset-requests", json={"email": org.email})
    unknown = client.post("/api/v1/password-reset-requests", json={"email": "nobody@example.org"})
    assert (known.status_code, known.json) == (unknown.status_code, unknown.json)
    assert messages_to(settings.mail_dir, "nobody@example.org") == []
    [(subject, body)] = messages_to(settings.mail_dir, org.email)
    assert subject == "Reset your password"
    assert PASSWORD not in body


def test_a_confirmation_token_cannot_reset_a_password(app, settings) -> None:
    client = app.test_client()
    register(client, "developer", "Org", "dev@example.org")
    token = confirmation_token(settings.mail_dir, "dev@example.org")
    refused = _reset(client, token)
    assert (refused.status_code, refused.json["code"]) == (422, "invalid_token")


def test_reset_emails_to_one_address_are_limited_per_hour(app, settings) -> None:
    org = make_org("Org")
    client = app.test_client()
    for _ in range(5):
        assert client.post("/api/v1/password-reset-requests", json={"email": org.email}).status_code == 202
    assert len(_reset_tokens(settings, org.email)) == 3


def test_the_reset_pages_work_without_javascript(app, settings) -> None:
    org = make_org("Org")
    client = app.test_client()
    token = csrf_token(client, "/forgot-password")
    assert client.post("/forgot-password", data={"email": org.email, "csrf_token": token}).status_code == 302
    [link_token] = _reset_tokens(settings, org.email)
    page = client.get(f"/reset-password?token={link_token}")
    assert page.status_code == 200
    form = {"token": link_token, "password": NEW, "password_confirmation": NEW, "csrf_token": token}
    assert client.post("/reset-password", data=form).status_code == 302
    assert sign_in(app.test_client(), org.email, NEW).status_code == 302


def test_guessable_passwords_are_refused_by_the_strength_estimator(app, settings) -> None:
    """Common passwords in their usual disguises (capitals, digits, years, symbols), keyboard walks, repeats
    and the person's own name or email are refused; a long unusual phrase passes (R-ACC-2)."""
    org = make_org("Org")
    member = signed_in(app, org.email)
    guessable = ["Password123!", "Sunshine2024", "qwertyuiop12", "aaaaaaaaaaaa", "P@ssw0rd2026", "admin@org.example"]
    for password in guessable:
        body = {"current_password": PASSWORD, "new_password": password, "new_password_confirmation": password}
        response = member.api("PUT", "/api/v1/me/password", body)
        assert (response.status_code, response.json["errors"][0]["code"]) == (422, "password_too_common"), password
        assert "too easy to guess" in response.json["detail"]
    body = {"current_password": PASSWORD, "new_password": NEW, "new_password_confirmation": NEW}
    assert member.api("PUT", "/api/v1/me/password", body).status_code == 200


def test_a_password_longer_than_the_estimator_reads_is_judged_and_accepted(app, settings) -> None:
    long_phrase = "mangoes ripen slowly under the tin roof of the co-operative " * 3
    client = app.test_client()
    assert register(client, "developer", "Long Phrase Org", "long@example.org", long_phrase).status_code == 202
