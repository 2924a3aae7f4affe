"""Sign-in and sign-out (R-ACC-3): rate limits per account and per address, audit, sessions that end."""

import statistics
import time
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from flask import Request
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from dapp import platform, security
from dapp.accounts.errors import InvalidCredentials
from dapp.accounts.service.sign_in import check_credentials
from dapp.accounts.throttle import ACCOUNT, ADDRESS, PAIR
from dapp.models.audit import AuditEntry
from dapp.web.client import client_address
from tests.factories.accounts import PASSWORD, make_org, signed_in
from tests.support.journeys import csrf_token, sign_in


def _from(client, email: str, address: str, password: str = PASSWORD, **headers: str):
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def _wait(seconds: float) -> None:
    clock = platform.current().clock
    clock.set(clock.now() + timedelta(seconds=seconds))


def test_failures_from_one_address_ask_for_growing_waits_but_never_lock_the_account(app, settings) -> None:
    org = make_org("Org")
    attacker, owner = app.test_client(), app.test_client()
    for _ in range(PAIR.free_failures):
        assert _from(attacker, org.email, "203.0.113.9", "wrong guess").status_code == 401
    refused = _from(attacker, org.email, "203.0.113.9")
    assert refused.status_code == 429  # even the right password waits: the wait comes before the check
    assert "Try again in 2 seconds" in refused.get_data(as_text=True)
    assert _from(owner, org.email, "198.51.100.7").status_code == 302  # the owner elsewhere is not locked out
    _wait(2)
    assert _from(attacker, org.email, "203.0.113.9", "wrong again").status_code == 401
    _wait(2)
    assert "Try again in 2 seconds" in _from(attacker, org.email, "203.0.113.9").get_data(as_text=True)
    _wait(2)
    assert _from(attacker, org.email, "203.0.113.9").status_code == 302  # 4 s after the 4th failure


def test_the_waits_double_up_to_their_ceiling() -> None:
    waits = [PAIR.delay(failures) for failures in range(PAIR.free_failures + 12)]
    assert waits[: PAIR.free_failures] == [timedelta(0)] * PAIR.free_failures
    assert waits[PAIR.free_failures : PAIR.free_failures + 4] == [timedelta(seconds=s) for s in (2, 4, 8, 16)]
    assert max(waits) == PAIR.ceiling == timedelta(minutes=15)
    assert ACCOUNT.ceiling == timedelta(minutes=1)


def test_an_unknown_email_is_slowed_the_same_way_so_a_wait_reveals_nothing(app, settings) -> None:
    client = app.test_client()
    for _ in range(PAIR.free_failures):
        assert sign_in(client, "nobody@example.org", "wrong guess").status_code == 401
    assert sign_in(client, "nobody@example.org").status_code == 429


def test_one_address_trying_many_accounts_is_slowed_everywhere(app, settings) -> None:
    org = make_org("Org")
    client = app.test_client()
    for number in range(ADDRESS.free_failures):
        assert _from(client, f"guess{number}@example.org", "203.0.113.9", "wrong").status_code == 401
    assert _from(client, org.email, "203.0.113.9").status_code == 429
    assert _from(app.test_client(), org.email, "10.1.2.3").status_code == 302


def test_guessing_from_many_addresses_slows_new_addresses_but_not_the_owners_own(app, settings) -> None:
    org = make_org("Org")
    assert _from(app.test_client(), org.email, "198.51.100.7").status_code == 302  # the owner's usual address
    for number in range(ACCOUNT.free_failures):
        assert _from(app.test_client(), org.email, f"203.0.113.{number}", "wrong").status_code == 401
    assert _from(app.test_client(), org.email, "203.0.113.200").status_code == 429
    assert _from(app.test_client(), org.email, "198.51.100.7").status_code == 302
    _wait(ACCOUNT.ceiling.total_seconds())
    assert _from(app.test_client(), org.email, "203.0.113.200").status_code == 302


def test_behind_a_trusted_proxy_each_client_has_its_own_address(app, settings) -> None:
    org, proxy = make_org("Org"), "10.0.0.2"
    configured = platform.current().settings
    configured.trusted_proxies = 1
    try:
        for _ in range(PAIR.free_failures):
            forged = {"X-Forwarded-For": "1.1.1.1, 203.0.113.9"}  # the left entry is the client's own claim
            assert _from(app.test_client(), org.email, proxy, "wrong", **forged).status_code == 401
        assert _from(app.test_client(), org.email, proxy, **forged).status_code == 429
        owner = {"X-Forwarded-For": "198.51.100.7"}
        assert _from(app.test_client(), org.email, proxy, **owner).status_code == 302
    finally:
        configured.trusted_proxies = 0
    assert client_address_of(proxy, {"X-Forwarded-For": "198.51.100.7"}, trusted=0) == proxy
    assert client_address_of(proxy, {"X-Forwarded-For": "not an address"}, trusted=1) == proxy


def client_address_of(peer: str, headers: dict[str, str], trusted: int) -> str:
    environ = EnvironBuilder(headers=headers, environ_base={"REMOTE_ADDR": peer}).get_environ()
    return client_address(Request(environ), trusted)


def test_sign_ins_and_failed_attempts_are_audited_in_the_organizations_log(app, settings) -> None:
    org = make_org("Org")
    client = app.test_client()
    assert sign_in(client, org.email, "not the password").status_code == 401
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
