"""One JSON log line and one latency observation per request (issue 19, ADR 0091).

The line holds the request id (the client's `X-Request-Id` when it is a plain token, else a new one; echoed in the
answer), the kind of caller (API key, signed-in session or anonymous, read from the request without a database
query), the route's template (never the path's values or the query string, where e-mail tokens travel), the
method, the status and the duration. Nothing else from the request is logged.
"""

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request, session

from dapp.metrics import REQUEST_SECONDS

log = logging.getLogger("drec.request")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def actor_kind() -> str:
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return "api_key"
    return "session" if "_user_id" in session else "anonymous"


def _finish(response: Response) -> Response:
    seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    status = response.status_code
    REQUEST_SECONDS.labels(route, request.method, str(status)).observe(seconds)
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-Id"] = request_id
    fields = {
        "request_id": request_id,
        "actor": actor_kind(),
        "method": request.method,
        "route": route,
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
    }
    log.info("request", extra={"fields": fields})
    return response
