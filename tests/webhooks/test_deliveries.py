"""Sending deliveries (R-API-2) to a real local receiver: signed over timestamp and body, logged try by try with
status and response time, retried with backoff, re-sendable; a receiver that answers 500, redirects, times out
or cannot be reached is a failed try, and one that keeps failing gets its endpoint disabled with a notice."""

import hashlib
import hmac
import json
import socket
from datetime import UTC, datetime, timedelta

import pytest

from dapp import platform
from dapp.webhooks.jobs import retry_deliveries_job
from tests.factories.accounts import make_org
from tests.support.workers import scheduler_tick
from tests.webhooks.support import deliveries, registered, send_webhooks

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def org(app):
    platform.current().clock.set(NOW)
    return make_org("Sunny Developers")


def send_test(app, org, endpoint_id: str):
    return app.test_client().post(f"/api/v1/webhooks/{endpoint_id}/test", headers=org.auth)


def near(value: str, expected: datetime) -> bool:
    """The platform clock runs on from where a test set it: instants it wrote are a moment later."""
    return timedelta(0) <= datetime.fromisoformat(value) - expected < timedelta(seconds=5)


def retry_at(instant: datetime) -> None:
    platform.current().clock.set(instant)
    scheduler_tick()
    send_webhooks()


def test_a_delivery_is_signed_with_hmac_sha256_over_timestamp_and_body(app, org, receiver) -> None:
    endpoint = registered(app, org, receiver.url, ["reservation.created"])
    response = send_test(app, org, endpoint["id"])
    assert response.status_code == 202, response.json
    assert receiver.received == []  # nothing is sent in the request
    send_webhooks()
    [got] = receiver.received
    timestamp, signature = (part.split("=", 1)[1] for part in got.headers["Drec-Signature"].split(","))
    expected = hmac.new(endpoint["secret"].encode(), f"{timestamp}.".encode() + got.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)
    body = json.loads(got.body)
    assert body["type"] == "webhook.test"
    assert body["id"] == got.headers["Drec-Event-Id"] == response.json["event_id"]
    assert body["organization_id"] == str(org.actor.organization_id)
    [delivery] = deliveries(app, org, endpoint["id"])
    assert delivery["status"] == "succeeded"
    assert delivery["last_status_code"] == 200
    [attempt] = delivery["tries"]
    assert attempt["status_code"] == 200
    assert 0 <= attempt["response_ms"] < 1000


def test_a_receiver_answering_500_is_retried_with_backoff_until_it_accepts(app, org, receiver) -> None:
    receiver.answers = [500, 500]
    endpoint = registered(app, org, receiver.url, ["reservation.created"])
    send_test(app, org, endpoint["id"])
    send_webhooks()
    [delivery] = deliveries(app, org, endpoint["id"])
    assert delivery["status"] == "pending"
    assert delivery["last_error"] == "The receiver answered 500."
    assert near(delivery["next_attempt_at"], NOW + timedelta(seconds=30))
    retry_at(NOW + timedelta(seconds=20))  # not due yet
    assert len(receiver.received) == 1
    retry_at(NOW + timedelta(seconds=40))
    [delivery] = deliveries(app, org, endpoint["id"])
    assert near(delivery["next_attempt_at"], NOW + timedelta(seconds=100))  # 30 s, then 60 s
    retry_at(NOW + timedelta(seconds=110))
    [delivery] = deliveries(app, org, endpoint["id"])
    assert delivery["status"] == "succeeded"
    assert [t["status_code"] for t in delivery["tries"]] == [500, 500, 200]
    assert len({json.loads(r.body)["id"] for r in receiver.received}) == 1  # one event, three tries


def test_a_redirect_is_a_failed_try_and_is_not_followed(app, org, receiver) -> None:
    receiver.answers = [302]
    endpoint = registered(app, org, receiver.url, ["reservation.created"])
    send_test(app, org, endpoint["id"])
    send_webhooks()
    [delivery] = deliveries(app, org, endpoint["id"])
    assert delivery["status"] == "pending"
    assert delivery["last_status_code"] == 302
    assert "follow no redirects" in delivery["last_error"]
    assert len(receiver.received) == 1


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_try(app, org, receiver) -> None:
    receiver.stall_seconds = 2  # the timeout is 1 s in these tests
    endpoint = registered(app, org, receiver.url, ["reservation.created"])
    send_test(app, org, endpoint["id"])
    send_webhooks()
    [delivery] = deliveries(app, org, endpoint["id"])
    assert delivery["status"] == "pending"
    assert delivery["last_error"] == "The receiver did not answer in time."
    assert delivery["last_status_code"] is None
    assert 1000 <= delivery["last_response_ms"] < 2000


def test_an_unreachable_receiver_is_a_failed_try(app, org, allow_private) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = registered(app, org, f"http://127.0.0.1:{port}/hooks", ["reservation.created"])
    send_test(app, org, endpoint["id"])
    send_webhooks()
    [delivery] = deliveries(app, org, endpoint["id"])
    assert delivery["status"] == "pending"
    assert "could not be reached" in delivery["last_error"]


def test_persistent_failure_disables_the_endpoint_with_a_notice(app, org, receiver) -> None:
    settings = platform.current().settings
    settings.webhook_max_attempts = 2
    try:
        receiver.answers = [500] * 5
        endpoint = registered(app, org, receiver.url, ["reservation.created"])
        send_test(app, org, endpoint["id"])
        send_webhooks()
        retry_at(NOW + timedelta(seconds=40))
    finally:
        settings.webhook_max_attempts = 8
    [delivery] = deliveries(app, org, endpoint["id"])
    assert delivery["status"] == "failed"
    assert delivery["attempts"] == 2
    client = app.test_client()
    shown = client.get(f"/api/v1/webhooks/{endpoint['id']}", headers=org.auth).json
    assert shown["disabled_at"] is not None
    assert "2 failed tries" in shown["disabled_reason"]
    [notice] = client.get("/api/v1/notifications", headers=org.auth).json["items"]
    assert notice["kind"] == "webhook_disabled"
    assert receiver.url in notice["body"]
    refused = send_test(app, org, endpoint["id"])
    assert refused.status_code == 409
    assert refused.json["code"] == "webhook_disabled"


def test_deliveries_waiting_for_a_disabled_endpoint_resume_when_it_is_enabled(app, org, receiver) -> None:
    receiver.answers = [500]
    endpoint = registered(app, org, receiver.url, ["reservation.created"])
    send_test(app, org, endpoint["id"])
    send_webhooks()
    client = app.test_client()
    path = f"/api/v1/webhooks/{endpoint['id']}"
    client.patch(path, json={"is_enabled": False}, headers=org.auth)
    retry_at(NOW + timedelta(hours=1))
    assert len(receiver.received) == 1  # nothing goes to a disabled endpoint
    client.patch(path, json={"is_enabled": True}, headers=org.auth)
    send_webhooks()
    assert [d["status"] for d in deliveries(app, org, endpoint["id"])] == ["succeeded"]
    assert len(receiver.received) == 2


def test_a_delivery_is_resent_as_a_new_delivery_of_the_same_event(app, org, receiver) -> None:
    endpoint = registered(app, org, receiver.url, ["reservation.created"])
    send_test(app, org, endpoint["id"])
    send_webhooks()
    [first] = deliveries(app, org, endpoint["id"])
    response = app.test_client().post(
        f"/api/v1/webhooks/{endpoint['id']}/deliveries/{first['id']}/resend", headers=org.auth
    )
    assert response.status_code == 202, response.json
    send_webhooks()
    again, _ = deliveries(app, org, endpoint["id"])
    assert again["id"] != first["id"]
    assert again["event_id"] == first["event_id"]
    assert again["status"] == "succeeded"
    assert [json.loads(r.body)["id"] for r in receiver.received] == [first["event_id"]] * 2
    missing = app.test_client().post(f"/api/v1/webhooks/{endpoint['id']}/deliveries/999999/resend", headers=org.auth)
    assert missing.json["code"] == "webhook_delivery_not_found"


@pytest.mark.parametrize("host", ["localhost", "2130706433"])  # a name, and 127.0.0.1 written as one number
def test_a_host_that_resolves_to_loopback_is_refused_at_send_time(app, org, receiver, host) -> None:
    endpoint = registered(app, org, f"http://{host}:{receiver.port}/hooks", ["reservation.created"])
    platform.current().settings.webhooks_allow_private_addresses = False
    send_test(app, org, endpoint["id"])
    send_webhooks()
    [delivery] = deliveries(app, org, endpoint["id"])
    assert "loopback, private or reserved" in delivery["last_error"]
    assert receiver.received == []


def test_a_due_delivery_is_queued_once_however_many_ticks_ask_while_the_worker_is_behind(app, org, receiver) -> None:
    receiver.answers = [500]
    endpoint = registered(app, org, receiver.url, ["reservation.created"])
    send_test(app, org, endpoint["id"])
    send_webhooks()
    platform.current().clock.set(NOW + timedelta(minutes=5))
    for _ in range(3):  # three ticks before the worker gets to it
        retry_deliveries_job()
    assert platform.current().queue("webhooks").count == 1
    send_webhooks()
    assert [d["status"] for d in deliveries(app, org, endpoint["id"])] == ["succeeded"]
    retry_deliveries_job()
    assert platform.current().queue("webhooks").count == 0
