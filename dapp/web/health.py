"""Liveness and readiness probes."""

from flask import Blueprint
from sqlalchemy import text

from dapp import platform
from dapp.web.api import json_response

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return json_response({"status": "ok"})


@bp.get("/readyz")
def readyz():
    p = platform.current()
    with p.db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    p.redis.ping()
    return json_response({"status": "ready"})
