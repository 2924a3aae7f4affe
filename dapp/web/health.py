"""Liveness and readiness probes: `/readyz` asks every dependency (dapp.probes) and answers 503 naming those that
do not answer."""

from flask import Blueprint

from dapp import platform, probes
from dapp.web.api import json_response

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return json_response({"status": "ok"})


@bp.get("/readyz")
def readyz():
    problems = probes.dependency_problems(platform.current())
    ready = all(problem is None for problem in problems.values())
    checks = {name: problem or "ok" for name, problem in problems.items()}
    return json_response({"status": "ready" if ready else "unavailable", "checks": checks}, 200 if ready else 503)
