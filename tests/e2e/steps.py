"""Steps shared by the browser journeys."""

import re
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


def go_to(page: Page, menu: str, link: str) -> None:
    """Open the navigation's menu `menu` and follow its link `link`."""
    navigation = page.get_by_role("navigation", name="Main")
    navigation.locator("details.menu > summary").filter(has_text=re.compile(f"^{re.escape(menu)}$")).click()
    navigation.get_by_role("link", name=link, exact=True).click()
