"""Steps of user journeys through the real HTTP interface (Flask test client): sign-up, sign-in, API calls."""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.support.mailbox import confirmation_tokens

PASSWORD = "correct horse battery staple"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class Member:
    """A signed-in person: their browser-like client and CSRF token."""

    client: FlaskClient
    email: str
    csrf: str

    def api(self, method: str, path: str, json: Any = None) -> Any:
        return self.client.open(path, method=method, json=json, headers={"X-CSRFToken": self.csrf})

    def form(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data={**data, "csrf_token": self.csrf})


def register(
    client: FlaskClient,
    org_type: str,
    org_name: str,
    address: str,
    password: str = PASSWORD,
    confirmation: str | None = None,
) -> Any:
    """POST a registration; the confirmation repeats the password unless given."""
    return client.post(
        "/api/v1/registrations",
        json={
            "first_name": "Ada",
            "last_name": "Okafor",
            "email": address,
            "organization_type": org_type,
            "organization_name": org_name,
            "organization_address": "1 Solar Road, Nairobi",
            "password": password,
            "password_confirmation": password if confirmation is None else confirmation,
        },
    )


def confirmation_token(mail_dir: Path, address: str) -> str:
    """The link token of the newest confirmation email to `address`."""
    tokens = confirmation_tokens(mail_dir, address)
    assert tokens, f"no confirmation email for {address} in {mail_dir}"
    return tokens[-1]


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = CSRF_META.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, address: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"email": address, "password": password, "csrf_token": csrf_token(client)})


def onboard(app: Any, mail_dir: Path, org_type: str, org_name: str, address: str) -> Member:
    """Register, confirm the email through the link sent, and sign in."""
    client = app.test_client()
    assert register(client, org_type, org_name, address).status_code == 202
    token = confirmation_token(mail_dir, address)
    assert client.post("/api/v1/email-confirmations", json={"token": token}).status_code == 200
    assert sign_in(client, address).status_code == 302
    return Member(client, address, csrf_token(client, "/api-keys"))
