"""Security headers on every response (issue 18, item 9; ADR 0082)."""

import re
from pathlib import Path

import pytest
from flask import Flask

from dapp.web import headers

EVERY_RESPONSE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/login"),  # a page
        ("GET", "/devices"),  # a redirect to sign in
        ("GET", "/api/v1/organization"),  # a problem document
        ("GET", "/api/openapi.json"),
        ("GET", "/static/app.css"),
        ("GET", "/no-such-page"),
        ("DELETE", "/api/v1/registrations"),  # 405
    ],
)
def test_every_response_carries_the_security_headers(app: Flask, method: str, path: str) -> None:
    response = app.test_client().open(path, method=method)
    for name, value in EVERY_RESPONSE.items():
        assert response.headers[name] == value, (path, name)
    policy = dict(part.split(" ", 1) for part in response.headers["Content-Security-Policy"].split("; "))
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert "Strict-Transport-Security" not in response.headers  # served over plain HTTP


def test_hsts_is_sent_when_the_platform_is_served_over_https() -> None:
    secure = Flask("secure")
    secure.get("/")(lambda: "ok")
    headers.init_app(secure, served_over_https=True)
    response = secure.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_an_https_request_gets_hsts_even_when_the_base_url_says_http(app: Flask) -> None:
    response = app.test_client().get("/login", base_url="https://localhost")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_no_page_holds_an_inline_script_or_style_the_policy_would_refuse(app: Flask) -> None:
    templates = Path(app.root_path) / "templates"
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|<style|\son[a-z]+=|style=\"")
    found = [
        f"{path.relative_to(templates)}: {match.group()}"
        for path in sorted(templates.rglob("*.html"))
        for match in inline.finditer(path.read_text())
    ]
    assert templates.is_dir()
    assert not found, "\n".join(found)
