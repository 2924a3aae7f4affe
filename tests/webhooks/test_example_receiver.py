"""The example receiver of docs/webhooks.md, run as its own process, accepts the platform's deliveries and refuses
a tampered body, a wrong secret and a replay outside its five-minute window; it handles an event id once."""

import hashlib
import hmac
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.factories.accounts import make_org
from tests.webhooks.support import deliveries, registered, send_webhooks

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "webhook_receiver.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def example_receiver(port: int, secret: str) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLE), "--port", str(port)],
        env={**os.environ, "DREC_WEBHOOK_SECRET": secret},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 10
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert time.monotonic() < deadline, "the example receiver did not start"
            time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def post(port: int, body: bytes, signature: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/", data=body, headers={"Drec-Signature": signature}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - an http URL of this test
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def test_the_example_receiver_verifies_deliveries_and_refuses_forgeries_and_replays(app, allow_private) -> None:
    org = make_org("Sunny Developers")
    port = free_port()
    endpoint = registered(app, org, f"http://127.0.0.1:{port}/", ["reservation.created"])
    secret = endpoint["secret"]
    with example_receiver(port, secret) as process:
        sent = app.test_client().post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=org.auth).json
        send_webhooks()
        resend = f"/api/v1/webhooks/{endpoint['id']}/deliveries/{sent['id']}/resend"
        app.test_client().post(resend, headers=org.auth)  # the same event again
        send_webhooks()
        assert [d["last_status_code"] for d in deliveries(app, org, endpoint["id"])] == [200, 200]

        body = b'{"id":"forged","type":"webhook.test","data":{}}'
        now = int(time.time())
        assert post(port, body, sign(secret, now, body)) == 200
        assert post(port, body + b" ", sign(secret, now, body)) == 400  # tampered body
        assert post(port, body, sign("whsec_wrong", now, body)) == 400  # wrong secret
        assert post(port, body, sign(secret, now - 600, body)) == 400  # replayed ten minutes later
        assert post(port, body, "v1=abc") == 400  # malformed
        process.terminate()
        printed = process.communicate(timeout=10)[0].splitlines()
    assert len(printed) == 2  # the test event once (its re-send is acknowledged, not handled again), the local one
