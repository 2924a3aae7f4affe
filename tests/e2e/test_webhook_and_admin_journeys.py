"""Browser journeys: a developer's admin registers a webhook and sends it a test event; a platform admin lands on
the dashboard, finds a failed job with its traceback and retries it."""

from playwright.sync_api import Page, expect
from rq import SimpleWorker

from dapp import platform
from tests.e2e.steps import go_to, sign_in
from tests.factories.accounts import make_org, make_platform_admin
from tests.webhooks.support import send_webhooks

OPERATOR = "operator@platform.example"


def test_a_developer_registers_a_webhook_and_sends_it_a_test_event(app, live_server: str, page: Page, receiver) -> None:
    org = make_org("Kisumu Power")
    sign_in(page, live_server, org.email)
    go_to(page, "Organization", "Webhooks")
    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_label("reservation.created").check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.locator("#new-webhook-secret")).to_contain_text("whsec_")
    page.get_by_role("link", name=receiver.url).click()
    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text("A test event is on its way")).to_be_visible()
    send_webhooks()  # what the webhooks worker does meanwhile
    page.reload()
    expect(page.locator("tr.delivery-succeeded")).to_contain_text("webhook.test")
    expect(page.locator("tr.delivery-succeeded")).to_contain_text(" ms")
    assert len(receiver.received) == 1


def test_a_platform_admin_finds_a_failed_job_on_the_dashboard_and_retries_it(app, live_server: str, page: Page) -> None:
    p = platform.current()
    p.queue("webhooks").enqueue(
        "dapp.webhooks.jobs.deliver_webhook_job", "not-a-number", description="webhooks.deliver_webhook"
    )
    SimpleWorker([p.queue("webhooks")], connection=p.redis).work(burst=True, with_scheduler=False)
    make_platform_admin(OPERATOR)
    sign_in(page, live_server, OPERATOR)
    page.goto(f"{live_server}/admin")
    expect(page.get_by_role("heading", name="Platform dashboard")).to_be_visible()
    expect(page.get_by_role("heading", name="Chain outbox")).to_be_visible()
    page.locator('tr.queue[data-queue="webhooks"] a').click()
    failed = page.locator("tr.failed-job")
    expect(failed).to_contain_text("webhooks.deliver_webhook")
    failed.locator("summary").click()
    expect(failed.locator("pre.traceback")).to_contain_text("Traceback")
    page.get_by_role("button", name="Retry webhooks.deliver_webhook").click()
    expect(page.get_by_text("webhooks.deliver_webhook is queued again on 'webhooks'.")).to_be_visible()
    expect(page.get_by_text("No failed jobs.")).to_be_visible()
