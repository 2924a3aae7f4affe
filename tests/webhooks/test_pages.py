"""The Webhooks pages: register an endpoint (secret shown once), send a test event, see the delivery log with
status and response time, re-send, disable and enable."""

import re

from tests.factories.accounts import make_member, make_org, signed_in
from tests.webhooks.support import send_webhooks


def test_a_member_registers_an_endpoint_sends_a_test_event_and_resends_it(app, receiver) -> None:
    org = make_org("Sunny Developers")
    admin = signed_in(app, org.email)
    page = admin.form("/webhooks", {"url": receiver.url, "events": ["reservation.created", "reads.rejected"]})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    secret = re.search(r'id="new-webhook-secret">(whsec_[^<]+)<', html)
    assert secret is not None
    listed = admin.client.get("/webhooks").get_data(as_text=True)
    assert receiver.url in listed
    assert secret.group(1) not in listed  # shown once
    endpoint_path = re.search(r'href="(/webhooks/[0-9a-f-]{36})"', listed).group(1)
    assert "Send test event" in admin.client.get(endpoint_path).get_data(as_text=True)
    assert admin.form(f"{endpoint_path}/test", {}).status_code == 302
    send_webhooks()
    shown = admin.client.get(endpoint_path).get_data(as_text=True)
    assert "webhook.test" in shown
    assert "succeeded" in shown
    assert re.search(r"\d+ ms", shown)
    delivery_id = re.search(r"/deliveries/(\d+)/resend", shown).group(1)
    assert admin.form(f"{endpoint_path}/deliveries/{delivery_id}/resend", {}).status_code == 302
    send_webhooks()
    assert len(receiver.received) == 2
    assert admin.form(f"{endpoint_path}/disable", {}).status_code == 302
    assert "Disabled" in admin.client.get(endpoint_path).get_data(as_text=True)
    assert admin.form(f"{endpoint_path}/enable", {}).status_code == 302
    assert "Active." in admin.client.get(endpoint_path).get_data(as_text=True)


def test_a_refused_url_is_shown_next_to_the_form(app) -> None:
    org = make_org("Sunny Developers")
    admin = signed_in(app, org.email)
    page = admin.form("/webhooks", {"url": "http://127.0.0.1/hooks", "events": ["reservation.created"]})
    assert page.status_code == 422
    assert "public addresses only" in page.get_data(as_text=True)
    assert "new-webhook-secret" not in page.get_data(as_text=True)


def test_a_read_only_member_sees_the_endpoints_without_the_forms(app, allow_private) -> None:
    org = make_org("Sunny Developers")
    make_member(org, "reader@sunny.example", {"organization": ["READ"]})
    reader = signed_in(app, "reader@sunny.example")
    page = reader.client.get("/webhooks").get_data(as_text=True)
    assert "Add endpoint" not in page
    assert reader.form("/webhooks", {"url": "http://127.0.0.1/x", "events": ["reads.rejected"]}).status_code == 403
