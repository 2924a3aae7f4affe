"""An example receiver of D-REC webhooks (docs/webhooks.md), standard library only.

    DREC_WEBHOOK_SECRET=whsec_… python webhook_receiver.py --port 8765

It accepts a delivery only if its `Drec-Signature` is right for the raw body and its timestamp is within five
minutes of this machine's clock, and handles each event id once (a re-send or a retry after a lost answer
carries the same id). Every accepted event is printed as one JSON line; refusals are answered 400 and logged.
"""

import argparse
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 300
seen_event_ids: set[str] = set()  # a real receiver keeps these in its database, with the work they caused


def verify(secret: str, header: str, body: bytes, now: float) -> str | None:
    """None if the delivery is authentic and fresh, else why it is not."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        return "malformed signature header"
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts["v1"]):
        return "signature mismatch"
    if abs(now - int(parts["t"])) > TOLERANCE_SECONDS:
        return "timestamp outside the tolerance (replayed?)"
    return None


class Receiver(BaseHTTPRequestHandler):
    secret = ""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        refusal = verify(self.secret, self.headers.get("Drec-Signature", ""), body, time.time())
        if refusal:
            self._answer(400, refusal)
            return
        event = json.loads(body)
        if event["id"] not in seen_event_ids:  # already handled: acknowledge again, do nothing twice
            seen_event_ids.add(event["id"])
            print(json.dumps(event), flush=True)
        self._answer(200, "ok")

    def _answer(self, status: int, text: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, format: str, *args: object) -> None:
        print(format % args, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    Receiver.secret = os.environ["DREC_WEBHOOK_SECRET"]
    ThreadingHTTPServer((args.host, args.port), Receiver).serve_forever()


if __name__ == "__main__":
    main()
