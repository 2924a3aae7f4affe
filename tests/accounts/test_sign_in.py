"""Sign-in and sign-out (R-ACC-3): rate limits per account and per address, audit, sessions that end."""

import statistics
import time

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from dapp import platform, security
from dapp.accounts.errors import InvalidCredentials
from dapp.accounts.service.sign_in import check_credentials
from dapp.accounts.throttle import MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS, WINDOW
from dapp.models.audit import AuditEntry
from tests.factories.accounts import PASSWORD, make_org, signed_in
from tests.support.journeys import csrf_token, sign_in


def _fail(client, email: str, times: int) -> None:
    for _ in range(times):
        assert sign_in(client, email, "not the password").status_code == 401


def test_an_account_is_locked_after_repeated_failures_even_with_the_right_password(app, settings) -> None:
    org = make_org("Org")
    client = app.test_client()
    _fail(client, org.email, MAX_FAILURES_PER_ACCOUNT)
    locked = sign_in(client, org.email)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.get_data(as_text=True)


def test_the_lock_ends_with_its_window_and_a_success_clears_the_count(app, settings) -> None:
    org = make_org("Org")
    client = app.test_client()
    _fail(client, org.email, MAX_FAILURES_PER_ACCOUNT)
    clock = platform.current().clock
    clock.set(clock.now() + WINDOW)
    assert sign_in(client, org.email).status_code == 302
    _fail(app.test_client(), org.email, MAX_FAILURES_PER_ACCOUNT - 1)
    assert sign_in(app.test_client(), org.email).status_code == 302


def test_an_unknown_email_is_locked_the_same_way_so_a_lock_reveals_nothing(app, settings) -> None:
    client = app.test_client()
    _fail(client, "nobody@example.org", MAX_FAILURES_PER_ACCOUNT)
    assert sign_in(client, "nobody@example.org").status_code == 429


def test_one_address_trying_many_accounts_is_locked(app, settings) -> None:
    org = make_org("Org")
    client = app.test_client()
    for number in range(MAX_FAILURES_PER_ADDRESS):
        _fail(client, f"guess{number}@example.org", 1)
    assert sign_in(client, org.email).status_code == 429
    other_address = app.test_client()
    response = other_address.post(
        "/login",
        data={"email": org.email, "password": PASSWORD, "csrf_token": csrf_token(other_address)},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert response.status_code == 302


def test_sign_ins_and_failed_attempts_are_audited_in_the_organizations_log(app, settings) -> None:
    org = make_org("Org")
    client = app.test_client()
    _fail(client, org.email, 1)
    assert sign_in(client, org.email).status_code == 302
    with platform.current().db.unit_of_work() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.organization_id == org.actor.organization_id).order_by(AuditEntry.id)
        ).all()
        actions = [(e.action, e.actor_user_id, (e.after or {}).get("reason")) for e in entries]
    assert ("user.login_failed", None, "invalid_credentials") in actions
    assert actions[-1] == ("user.login", org.actor.user_id, None)


def test_sign_in_for_an_unknown_email_costs_what_it_costs_for_a_known_one(app, settings) -> None:
    """No timing difference tells which emails are registered (issue 18): with the production Argon2id cost, the
    median time of refusing a wrong password is the same, within a factor of two, for a registered and an
    unknown email (without the dummy hash the unknown one is about 20 times faster)."""
    production, security._hasher = security._hasher, PasswordHasher()
    try:
        org = make_org("Org")
        medians = [_median_refusal(email) for email in (org.email, "nobody@example.org")]
    finally:
        security._hasher = production
    assert 0.5 < medians[1] / medians[0] < 2, medians


def _median_refusal(email: str) -> float:
    times = []
    with platform.current().db.unit_of_work() as session:
        for _ in range(5):
            started = time.perf_counter()
            with pytest.raises(InvalidCredentials):
                check_credentials(session, email, "not the password")
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def test_signing_out_ends_the_session(app, settings) -> None:
    org = make_org("Org")
    member = signed_in(app, org.email)
    assert member.client.get("/api/v1/organization").status_code == 200
    member.form("/logout", {})
    assert member.client.get("/api/v1/organization").status_code == 401


def test_session_cookies_are_http_only_and_same_site_lax(app, settings) -> None:
    org = make_org("Org")
    client = app.test_client()
    response = sign_in(client, org.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
