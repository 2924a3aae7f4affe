"""The pages satisfy their Content-Security-Policy (ADR 0082): the htmx pop-up and Swagger UI work with nothing
refused (the `page` fixture fails a journey on any refusal, so every journey checks the policy too), and an
injected inline script does not run."""

from datetime import UTC, datetime

from playwright.sync_api import Browser, Page, expect

from dapp import platform
from dapp.models.accounts import OrganizationType
from tests.e2e.conftest import CSP
from tests.e2e.steps import new_context, sign_in
from tests.factories.accounts import make_org
from tests.factories.devices import make_device

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def test_an_injected_inline_script_does_not_run(app, settings, live_server: str, browser: Browser) -> None:
    context = new_context(browser)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{live_server}/login")
    page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.injected = true";
                   document.body.appendChild(s); }"""
    )
    injected = page.evaluate("() => window.injected === true")
    context.close()
    assert not injected
    assert any(CSP in text for text in console)


def test_the_pages_behaviour_works_under_the_policy(app, settings, live_server: str, page: Page) -> None:
    platform.current().clock.set(NOW)
    org = make_org("Sunny Developers")
    make_device(org, "CSP-1")
    sign_in(page, live_server, org.email, landing="My devices")
    page.get_by_role("link", name="Details of CSP-1").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("CSP-1")
    dialog.get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.goto(f"{live_server}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("D-REC registry API")


def test_select_group_ticks_the_groups_devices_under_the_policy(app, settings, live_server: str, page: Page) -> None:
    platform.current().clock.set(NOW)
    developer = make_org("Sunny Developers")
    make_device(developer, "CSP-1")
    make_device(developer, "CSP-2")
    buyer = make_org("Green Buyer", OrganizationType.BUYER)
    sign_in(page, live_server, buyer.email)
    page.goto(f"{live_server}/catalogue?group_by=country")
    page.locator(".pick-group").first.check()
    expect(page.get_by_label("Pick CSP-1")).to_be_checked()
    expect(page.get_by_label("Pick CSP-2")).to_be_checked()
