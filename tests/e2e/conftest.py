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
    context = new_context(browser)
    yield context.new_page()
    context.close()
