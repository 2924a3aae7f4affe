"""Browser fixtures: the app served on a free local port, and Debian's Chromium driven by Playwright.

Waits are sized for a loaded two-core machine (CI may run at load 8): an expectation waits up to 20 s for the page
to reach it, an action or a navigation up to 60 s. A passing test waits only as long as the page takes."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.steps import new_context
from tests.support.server import serving
from tests.webhooks.conftest import allow_private, receiver  # noqa: F401 - the webhook fixtures, shared

CHROMIUM = "/usr/bin/chromium"
CSP = "Content Security Policy"  # how Chromium's console reports what the policy refused
EXPECT_TIMEOUT_MS = 20_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page of a fresh context; the journey fails if the browser refused anything under the pages'
    Content-Security-Policy (ADR 0082), so every journey checks that the pages satisfy it."""
    context = new_context(browser)
    new_page = context.new_page()
    refused: list[str] = []
    new_page.on("console", lambda message: refused.append(message.text) if CSP in message.text else None)
    yield new_page
    context.close()
    assert not refused, "the Content-Security-Policy refused:\n" + "\n".join(refused)
