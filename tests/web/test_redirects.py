"""After signing in, the browser goes back only to a path of this site (issue 18, item 3; ADR 0081)."""

import pytest

from dapp.web.redirects import same_origin_path
from tests.factories.accounts import PASSWORD, make_org
from tests.support.journeys import csrf_token

OFF_SITE = [
    "//evil.example/x",
    "/\t/evil.example/x",
    "/\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/x",
    "javascript:alert(1)",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_a_target_a_browser_could_read_as_another_site_is_refused(target: str) -> None:
    assert same_origin_path(target) is None


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("/devices", "/devices"),
        ("/devices?page=2#top", "/devices?page=2#top"),
        ("/catalogue?q=a%2F%2Fb", "/catalogue?q=a%2F%2Fb"),
        ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),  # an encoded slash is part of a path here, not a host
    ],
)
def test_a_path_of_this_site_is_kept(target: str, path: str) -> None:
    assert same_origin_path(target) == path


def _sign_in_with_next(app, next_target: str):
    org = make_org("Sunny")
    client = app.test_client()
    token = csrf_token(client)
    return client.post(
        "/login",
        query_string={"next": next_target},
        data={"email": org.email, "password": PASSWORD, "csrf_token": token},
    )


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example/x", "https://evil.example/"])
def test_signing_in_never_redirects_off_site(app, settings, target: str) -> None:
    response = _sign_in_with_next(app, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/devices"


def test_the_probed_tab_trick_is_refused_before_sign_in(app, settings) -> None:
    response = _sign_in_with_next(app, "/\t/evil.example/x")
    assert response.status_code == 422
    assert "Location" not in response.headers


def test_signing_in_returns_to_the_page_asked_for(app, settings) -> None:
    response = _sign_in_with_next(app, "/devices/new?x=1")
    assert (response.status_code, response.headers["Location"]) == (302, "/devices/new?x=1")
