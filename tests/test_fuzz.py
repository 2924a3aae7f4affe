"""Fuzzing in CI (issue 18; ADR 0084): schemathesis over the whole OpenAPI document, with valid credentials of
each kind, a bounded number of examples per operation and a fixed seed.

Every operation of the document the app serves is called with examples generated from its parameters and body
schemas, as the caller its security asks for: an organization's API key (a developer's, or a buyer's for the
buyer modules), a signed-in person's session with its CSRF token, a platform admin's session, or nobody for
public operations. Each answer must not be a server error and must conform to the document: a declared status,
its declared media type, a body matching its schema (problem documents included). The run reports every
non-conforming answer at once, then fails.
"""

import time
import traceback
from dataclasses import dataclass
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dapp import platform
from dapp.models.accounts import OrganizationType
from tests.factories.accounts import make_org, make_platform_admin, signed_in
from tests.factories.devices import make_device

EXAMPLES_PER_OPERATION = 30
SEED = 18  # hypothesis derandomized: the same examples on every run
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
BUYER_MODULES = {"reservations", "certificates"}


@dataclass(frozen=True)
class Credentials:
    """Headers and cookies that make a request come from one kind of caller."""

    headers: dict[str, str]
    cookies: dict[str, str]


def _session(app: Flask, email: str) -> Credentials:
    member = signed_in(app, email)
    cookie = member.client.get_cookie("session")
    assert cookie is not None
    return Credentials({"X-CSRFToken": member.csrf}, {"session": cookie.value})


def _callers(app: Flask) -> dict[str, Credentials]:
    developer = make_org("Fuzz Developer")
    buyer = make_org("Fuzz Buyer", OrganizationType.BUYER)
    make_device(developer, "FUZZ-1")
    admin = make_platform_admin()
    return {
        "developer_key": Credentials(developer.auth, {}),
        "buyer_key": Credentials(buyer.auth, {}),
        "person": _session(app, developer.email),
        "platform_admin": _session(app, admin.email),
        "anonymous": Credentials({}, {}),
    }


def _caller_for(operation: Any) -> str:
    definition = operation.definition.raw
    if not definition.get("security"):
        return "anonymous"
    access = definition.get("x-access")
    if access == "platform_admin":
        return "platform_admin"
    if access == "self_service":
        return "person"
    module = definition.get("x-permission", {}).get("module")
    return "buyer_key" if module in BUYER_MODULES else "developer_key"


def _fuzz(operation: Any, credentials: Credentials, failures: list[str]) -> list[int]:
    """Run the operation's examples; returns the status of each answer."""
    statuses: list[int] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        try:
            response = case.call(headers=credentials.headers, cookies=credentials.cookies)
        except Exception as error:  # the app under TESTING raises what would be a 500: record it, go on
            failures.append(f"{operation.label}: 500 {_where(error)}\n    {case.as_curl_command()}")
            statuses.append(500)
            return
        statuses.append(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS)
        except AssertionError as failure:
            failures.append(f"{operation.label}: {_first_line(failure)}\n    {case.as_curl_command()}")

    run()
    return statuses


def _where(error: Exception) -> str:
    """The error and the innermost frame of the platform's own code that it passed through."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/dapp/" in f.filename]
    place = f" at {frames[-1].filename.split('/dapp/')[-1]}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}: {str(error)[:200]}{place}"


def _first_line(failure: Exception) -> str:
    return " | ".join(line.strip() for line in str(failure).splitlines() if line.strip())[:600]


def test_the_whole_api_survives_schemathesis_and_conforms_to_its_document(app: Flask, record_property) -> None:
    platform.current().clock.set(platform.current().clock.now())  # one instant for the whole run
    callers = _callers(app)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    started = time.monotonic()
    answered: dict[str, list[int]] = {caller: [] for caller in callers}
    for operation in operations:
        caller = _caller_for(operation)
        answered[caller] += _fuzz(operation, callers[caller], failures)
    seconds = time.monotonic() - started
    examples = sum(len(statuses) for statuses in answered.values())
    for name, value in (("fuzz_operations", len(operations)), ("fuzz_examples", examples), ("fuzz_seconds", seconds)):
        record_property(name, value)
    print(
        f"\nschemathesis: {len(operations)} operations, {examples} examples, {seconds:.0f} s, {len(failures)} failures"
    )
    admitted = {caller: sum(200 <= status < 300 for status in statuses) for caller, statuses in answered.items()}
    print(f"successful answers by caller: {admitted}")
    assert all(admitted.values()), f"a kind of caller was never admitted, so its credentials are wrong: {admitted}"
    assert not failures, f"{len(failures)} answers broke the document or the server:\n" + "\n".join(failures[:60])
