"""Browser journeys of I-REC conversion: the platform admin submits a developer's device group to the registry;
the buyer follows a reservation's conversion to serial numbers."""

import pytest
from playwright.sync_api import Page, expect

from dapp import platform
from tests.e2e.steps import go_to, sign_in
from tests.factories.accounts import make_org, make_platform_admin
from tests.factories.conversion import T0, certify_and_mint, chain_job, irec_market
from tests.factories.devices import make_device
from tests.factories.irec import group_of
from tests.support import irec

pytestmark = pytest.mark.browser
OPERATOR = "operator@platform.example"


def test_the_admin_submits_a_group_and_the_developer_sees_it_approved(app, live_server: str, page: Page) -> None:
    platform.current().clock.set(T0)
    developer = make_org("Sunny Developers")
    group = group_of(make_device(developer, "ROOF-1"))
    make_platform_admin(OPERATOR)
    sign_in(page, live_server, OPERATOR)
    go_to(page, "Platform", "I-REC registry")
    row = page.locator(f'tr.device-group[data-id="{group.id}"]')
    expect(row).to_have_attribute("data-status", "not_registered")
    row.get_by_role("button", name=f"Submit {group.name} to the registry").click()
    expect(page.get_by_text(f"{group.name} is submitted to the I-REC registry.")).to_be_visible()
    irec.sync()
    page.context.clear_cookies()
    sign_in(page, live_server, developer.email)
    go_to(page, "Buyers", "I-REC groups")
    expect(page.locator(f'tr.device-group[data-id="{group.id}"]')).to_have_attribute("data-status", "approved")


def test_the_buyer_follows_the_conversion_to_serial_numbers(app, live_server: str, page: Page) -> None:
    market = irec_market(app, days=2)
    [first, _] = certify_and_mint(until_day=2)
    irec.sync()
    chain_job()
    sign_in(page, live_server, market.buyer.email, landing="My reservations")
    page.goto(f"{live_server}/reservations/{market.reservation_id}")
    page.get_by_role("link", name="I-REC conversion").click()
    expect(page.get_by_role("heading", name="I-REC conversion")).to_be_visible()
    row = page.locator(f'tr.conversion-certificate[data-id="{first.id}"]')
    expect(row).to_have_attribute("data-status", "issued")
    expect(row.get_by_text("I-REC issued")).to_be_visible()
    expect(row.get_by_text("SIM-")).to_be_visible()
    expect(page.locator("tr.conversion-group")).to_have_count(1)
