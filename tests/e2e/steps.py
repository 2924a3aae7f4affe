"""Steps shared by the browser journeys."""

from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.support.journeys import PASSWORD

ACTION_TIMEOUT_MS = 60_000  # an action or a navigation, on a loaded machine


def new_context(browser: Browser, **options: Any) -> BrowserContext:
    """A fresh browser context whose actions and navigations wait as long as a loaded machine needs."""
    context = browser.new_context(**options)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(ACTION_TIMEOUT_MS)
    return context


def sign_in(page: Page, live_server: str, email: str, landing: str | None = None) -> None:
    """Sign in through the login form; with `landing`, wait for the role's landing page of that heading."""
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if landing is not None:
        expect(page.get_by_role("heading", name=landing)).to_be_visible()
