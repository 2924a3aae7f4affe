"""Steps shared by the browser journeys."""

from playwright.sync_api import Page, expect

from tests.support.journeys import PASSWORD


def sign_in(page: Page, live_server: str, email: str, landing: str | None = None) -> None:
    """Sign in through the login form; with `landing`, wait for the role's landing page of that heading."""
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if landing is not None:
        expect(page.get_by_role("heading", name=landing)).to_be_visible()
