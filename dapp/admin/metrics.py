"""`GET /metrics`: the Prometheus text exposition (issue 19, ADR 0091): request latencies of every gunicorn worker,
and, read at scrape time, dependencies, queues, jobs, chain outbox, indexer lag and mint gas
(dapp.admin.operations). With `DREC_METRICS_TOKEN` set, a scraper sends it as `Authorization: Bearer <token>`."""

import hmac

from flask import Blueprint, Response, abort, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from dapp import metrics, platform
from dapp.admin.operations import OperationsCollector

bp = Blueprint("metrics", __name__)
_operations = CollectorRegistry(auto_describe=False)
_operations.register(OperationsCollector())


@bp.get("/metrics")
def metrics_view() -> Response:
    token = platform.current().settings.metrics_token
    if token and not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
        abort(401)
    body = metrics.process_exposition() + generate_latest(_operations)
    return Response(body, mimetype=CONTENT_TYPE_LATEST)
