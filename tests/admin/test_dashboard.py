"""The platform admin's dashboard (R-UI-2, R-ACC-7): jobs and queues (running, failed with traceback, retry), the
chain outbox in every state, indexer lag, signer balances, webhook failures, and platform-wide organizations,
devices, reservations and certificates with search."""

import re
import socket
import threading
import time

from rq import SimpleWorker
from sqlalchemy import select

from dapp import platform
from dapp.models.audit import AuditEntry
from dapp.platform import QUEUE_NAMES
from tests.factories.accounts import make_org, make_platform_admin, signed_in
from tests.factories.certificates import BUYER, pending_certificates
from tests.factories.devices import make_device
from tests.webhooks.support import registered, send_webhooks

OPERATOR = "operator@platform.example"


def admin(app):
    make_platform_admin(OPERATOR)
    return signed_in(app, OPERATOR)


def failing_job() -> str:
    """A job that fails in the worker (a delivery id that is not a number), run as a worker would."""
    p = platform.current()
    job = p.queue("webhooks").enqueue(
        "dapp.webhooks.jobs.deliver_webhook_job", "not-a-number", description="webhooks.deliver_webhook"
    )
    SimpleWorker([p.queue("webhooks")], connection=p.redis).work(burst=True, with_scheduler=False)
    return job.id


def test_the_dashboard_shows_queues_outbox_states_indexer_lag_signer_balances_and_webhook_failures(
    app, receiver
) -> None:
    pending = pending_certificates(app)
    settings = platform.current().settings
    settings.webhook_max_attempts = 1
    try:
        receiver.answers = [500]
        buyer = make_org("Another Buyer")
        endpoint = registered(app, buyer, receiver.url, ["reservation.created"])
        app.test_client().post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=buyer.auth)
        send_webhooks()
    finally:
        settings.webhook_max_attempts = 8
    failing_job()
    page = admin(app).client.get("/admin").get_data(as_text=True)
    for name in QUEUE_NAMES:
        assert f'data-queue="{name}"' in page
    assert re.search(r'data-queue="webhooks"><td>webhooks</td><td>0</td><td>0</td>\s*<td><a[^>]*>1</a>', page)
    assert f'data-state="pending">{len(pending.token_ids) + 1}<' in page  # the mints and the reservation's log entry
    assert 'data-state="done">0<' in page
    assert re.search(r'id="indexer-lag">\d+<', page)
    assert "platform signer" in page
    assert re.search(r"\d+\.\d{6}</td>", page)  # the signer's balance in ether
    assert '<span id="webhook-failed">1</span>' in page
    assert '<span id="webhook-disabled">1</span>' in page
    assert BUYER in page
    # /metrics says the same, from the same snapshot (ADR 0121), webhook failures included
    scraped = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'drec_queue_failed_jobs{queue="webhooks"} 1.0' in scraped
    assert 'drec_webhook_deliveries{status="failed"} 1.0' in scraped
    assert "drec_webhook_endpoints_disabled 1.0" in scraped


def test_a_stalled_chain_node_holds_the_dashboard_for_seconds_not_minutes(app) -> None:
    """The dashboard asks the node with a 3 s timeout (dapp.probes.quick_chain), not a worker's 30 s."""
    operator = admin(app)
    settings = platform.current().settings
    rpc_url = settings.chain_rpc_url
    with socket.create_server(("127.0.0.1", 0)) as stalled:  # accepts connections, never answers
        settings.chain_rpc_url = f"http://127.0.0.1:{stalled.getsockname()[1]}"
        started = time.monotonic()
        try:
            response = operator.client.get("/admin")
        finally:
            settings.chain_rpc_url = rpc_url
    assert response.status_code == 200
    assert "The chain node could not be asked" in response.get_data(as_text=True)
    assert time.monotonic() - started < 15  # two calls of 3 s (chain id, a balance); it was over a minute


def test_the_dashboard_says_when_the_chain_node_does_not_answer(app) -> None:
    operator = admin(app)
    settings = platform.current().settings
    rpc_url = settings.chain_rpc_url
    settings.chain_rpc_url = "http://127.0.0.1:9"
    try:
        response = operator.client.get("/admin")
    finally:
        settings.chain_rpc_url = rpc_url
    assert response.status_code == 200
    assert "The chain node could not be asked" in response.get_data(as_text=True)


def test_failed_jobs_show_their_traceback_and_are_retried(app) -> None:
    job_id = failing_job()
    operator = admin(app)
    listed = operator.api("GET", "/api/v1/admin/jobs").json
    [failed] = listed["failed"]
    assert (failed["id"], failed["name"], failed["queue"]) == (job_id, "webhooks.deliver_webhook", "webhooks")
    assert "Traceback" in failed["traceback"]
    assert "not-a-number" in failed["traceback"]
    assert {q["name"]: q["failed"] for q in listed["queues"]}["webhooks"] == 1
    page = operator.client.get("/admin/jobs").get_data(as_text=True)
    assert f'data-id="{job_id}"' in page
    assert "Traceback" in page
    assert operator.form(f"/admin/jobs/{job_id}/retry", {}).status_code == 302
    webhooks = platform.current().queue("webhooks")
    assert webhooks.count == 1
    assert webhooks.failed_job_registry.count == 0
    again = operator.api("POST", f"/api/v1/admin/jobs/{job_id}/retry")
    assert (again.status_code, again.json["code"]) == (404, "job_not_failed")
    with platform.current().db.unit_of_work() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "job.retry")).all()
        assert (entry.subject_id, entry.after["name"]) == (job_id, "webhooks.deliver_webhook")


def test_the_chain_outbox_is_listed_in_every_state(app) -> None:
    pending = pending_certificates(app)
    operator = admin(app)
    listed = operator.api("GET", "/api/v1/admin/chain-outbox?status=pending").json
    assert sorted(e["kind"] for e in listed) == ["log_reservation_created"] + ["mint_certificate"] * len(
        pending.token_ids
    )
    assert operator.api("GET", "/api/v1/admin/chain-outbox?status=done").json == []
    refused = operator.api("GET", "/api/v1/admin/chain-outbox?status=lost")
    assert (refused.status_code, refused.json["code"]) == (422, "validation_failed")
    page = operator.client.get("/admin/chain-outbox?status=pending").get_data(as_text=True)
    assert page.count('class="outbox-entry"') == len(pending.token_ids) + 1
    assert operator.client.get("/admin/chain-outbox?status=lost").status_code == 404


def test_devices_reservations_certificates_and_organizations_are_listed_platform_wide_with_search(app) -> None:
    pending = pending_certificates(app)
    other = make_org("Lake Power")
    make_device(other, "LAKE-1")
    operator = admin(app)
    client = operator.client
    devices = client.get("/admin/devices").get_data(as_text=True)
    assert "SUN-1" in devices
    assert "LAKE-1" in devices
    found = client.get("/admin/devices?q=lake").get_data(as_text=True)
    assert "LAKE-1" in found
    assert "SUN-1" not in found
    assert "No device matches." in client.get("/admin/devices?q=100%25").get_data(as_text=True)
    reservations = client.get("/admin/reservations?q=green").get_data(as_text=True)
    assert reservations.count('class="reservation"') == 1
    token = str(pending.token_ids[0])
    certificates = client.get(f"/admin/certificates?q={token}").get_data(as_text=True)
    assert certificates.count('class="certificate"') == 1
    assert token in certificates
    assert client.get("/admin/certificates").get_data(as_text=True).count('class="certificate"') == 3
    organizations = client.get("/admin?q=lake").get_data(as_text=True)
    assert organizations.count('class="organization"') == 1
    assert "Lake Power" in organizations


def test_the_admin_api_lists_devices_reservations_certificates_and_organizations_with_search(app) -> None:
    pending = pending_certificates(app)
    make_device(make_org("Lake Power"), "LAKE-1")
    operator = admin(app)
    devices = operator.api("GET", "/api/v1/admin/devices?q=lake").json
    assert devices["total"] == 1
    assert (devices["items"][0]["external_id"], devices["items"][0]["organization_name"]) == ("LAKE-1", "Lake Power")
    assert operator.api("GET", "/api/v1/admin/devices").json["total"] == 2
    [reservation] = operator.api("GET", "/api/v1/admin/reservations?q=green buyer").json["items"]
    assert reservation["organization_name"] == BUYER
    token = str(pending.token_ids[-1])
    [certificate] = operator.api("GET", f"/api/v1/admin/certificates?q={token}").json["items"]
    assert (certificate["token_id"], certificate["status"]) == (token, "pending")
    assert operator.api("GET", "/api/v1/admin/certificates?size=1&page=2").json["items"][0]["token_id"] != token
    assert [o["name"] for o in operator.api("GET", "/api/v1/admin/organizations?q=power").json] == ["Lake Power"]
    refused = operator.api("GET", "/api/v1/admin/devices?size=1000")
    assert (refused.status_code, refused.json["code"]) == (422, "validation_failed")


def test_webhook_failures_of_every_organization_are_listed(app, receiver) -> None:
    receiver.answers = [503]
    org = make_org("Sunny Developers")
    endpoint = registered(app, org, receiver.url, ["reservation.created"])
    app.test_client().post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=org.auth)
    send_webhooks()
    operator = admin(app)
    [failure] = operator.api("GET", "/api/v1/admin/webhook-failures").json
    assert (failure["status"], failure["last_status_code"], failure["organization_name"]) == (
        "pending",
        503,
        "Sunny Developers",
    )
    page = operator.client.get("/admin/webhooks").get_data(as_text=True)
    assert 'data-status="pending"' in page
    assert receiver.url in page


def test_only_platform_admins_open_the_dashboard_pages(app) -> None:
    org = make_org("Sunny Developers")
    member = signed_in(app, org.email)
    for path in ("/admin", "/admin/jobs", "/admin/webhooks", "/admin/devices", "/admin/certificates"):
        assert member.client.get(path).status_code == 403, path
    assert member.api("GET", "/api/v1/admin/jobs").status_code == 403


def test_a_job_a_worker_is_running_is_listed_as_running(app, receiver) -> None:
    receiver.stall_seconds = 2  # the delivery's job runs for 2 s
    settings = platform.current().settings
    settings.webhook_timeout_seconds = 10
    org = make_org("Sunny Developers")
    endpoint = registered(app, org, receiver.url, ["reservation.created"])
    app.test_client().post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=org.auth)
    operator = admin(app)
    seen: list[list[dict]] = []

    def watch() -> None:
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            running = operator.api("GET", "/api/v1/admin/jobs").json["running"]
            if running:
                seen.append(running)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    send_webhooks()  # the worker, in this thread (it installs signal handlers)
    watcher.join()
    [[job]] = seen
    assert (job["name"], job["queue"], job["state"]) == ("webhooks.deliver_webhook", "webhooks", "running")
    assert job["started_at"] is not None
