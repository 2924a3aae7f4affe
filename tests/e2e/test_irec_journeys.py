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
from tests.irec.test_redemption import REDEMPTION, issued_market
from tests.support import irec
from tests.support.workers import run_indexer

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


def test_the_buyer_redeems_an_issued_certificate_as_irec_and_reads_its_statement(
    app, live_server: str, page: Page
) -> None:
    market, [first, _] = issued_market(app)
    sign_in(page, live_server, market.buyer.email, landing="My reservations")
    go_to(page, "Certificates", "Certificates")
    page.get_by_label("Standard").select_option("irec_issued")
    page.get_by_role("button", name="Filter").click()
    row = page.locator("tr.certificate").filter(has=page.locator('td.standard[data-state="irec_issued"]')).first
    expect(row.get_by_text("Serials SIM-")).to_be_visible()
    expect(page.locator("tr.certificate")).to_have_count(2)
    page.locator(f'a[href="/irec/certificates/{first.id}/redemption"]').click()
    expect(page.get_by_role("heading", name="Redeem a certificate as I-REC")).to_be_visible()
    page.get_by_label("Beneficiary").fill(REDEMPTION["beneficiary"])
    page.get_by_label("Location of consumption").fill(REDEMPTION["location"])
    page.get_by_label("Country of consumption (ISO alpha-3)").fill(REDEMPTION["country_code"])
    page.get_by_label("Consumption from").fill(REDEMPTION["consumption_start"])
    page.get_by_label("Consumption to").fill(REDEMPTION["consumption_end"])
    page.get_by_role("button", name="Redeem as I-REC").click()
    expect(page.get_by_text("Redemption requested")).to_be_visible()
    expect(page.locator('article.statement[data-status="requested"]')).to_be_visible()
    irec.sync()
    chain_job()
    run_indexer()
    page.reload()
    expect(page.get_by_role("heading", name="I-REC redemption statement")).to_be_visible()
    expect(page.get_by_text(REDEMPTION["beneficiary"])).to_be_visible()
    expect(page.get_by_text("RED-").first).to_be_visible()
    go_to(page, "Certificates", "Certificates")
    redeemed = page.locator('td.standard[data-state="irec_redeemed"]')
    expect(redeemed).to_have_count(1)
    page.get_by_role("link", name="I-REC statement").click()
    expect(page.get_by_role("heading", name="I-REC redemption statement")).to_be_visible()
