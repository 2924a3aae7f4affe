"""The simulator's HTTP surface: the registry endpoints the platform calls, behind a bearer token.

Creating calls answer 201 when they create and 200 when their client key already made the object; refusals are
JSON `{"reason": …}` with 401, 404, 409 or 422.
"""

import hmac
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify, request

from dapp.irec.simulator.state import Refused, Registry

Created = tuple[dict[str, Any], bool]


def create_app(registry: Registry, token: str) -> Flask:
    app = Flask("irec-simulator")

    @app.before_request
    def authenticate() -> Response | None:
        given = request.headers.get("Authorization", "")
        if request.path != "/health" and not hmac.compare_digest(given, f"Bearer {token}"):
            return _refusal(Refused(401, "a valid bearer token is required"))
        return None

    @app.errorhandler(Refused)
    def refused(error: Refused) -> Response:
        return _refusal(error)

    def create(make: Callable[[Registry, dict[str, Any]], Created]) -> tuple[Response, int]:
        with registry.transaction() as state:
            answer, is_new = make(state, _body())
        return jsonify(answer), 201 if is_new else 200

    def read(get: Callable[[Registry], dict[str, Any]]) -> Response:
        with registry.transaction() as state:
            return jsonify(get(state))

    app.add_url_rule("/health", "health", lambda: jsonify(status="ok"))
    app.add_url_rule("/api/device-groups", "register", lambda: create(Registry.register), methods=["POST"])
    app.add_url_rule(
        "/api/device-groups/<group_id>", "registration", lambda group_id: read(lambda s: s.registration(group_id))
    )
    app.add_url_rule("/api/issues", "request_issue", lambda: create(Registry.request_issue), methods=["POST"])
    app.add_url_rule("/api/issues/<issue_id>", "issue", lambda issue_id: read(lambda s: s.issue(issue_id)))
    app.add_url_rule("/api/redemptions", "redeem", lambda: create(Registry.redeem), methods=["POST"])
    app.add_url_rule(
        "/api/redemptions/<redemption_id>",
        "redemption",
        lambda redemption_id: read(lambda s: s.redemption(redemption_id)),
    )
    app.add_url_rule("/api/accounts/<code>", "account", lambda code: read(lambda s: s.account(code)))
    app.add_url_rule("/_simulator/behaviour", "behaviour", lambda: read(Registry.behaviour))
    app.add_url_rule(
        "/_simulator/behaviour", "set_behaviour", lambda: read(lambda s: s.set_behaviour(_body())), methods=["POST"]
    )
    return app


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused(422, "the body must be a JSON object")
    return body


def _refusal(error: Refused) -> Response:
    response = jsonify(reason=error.reason)
    response.status_code = error.status
    return response
