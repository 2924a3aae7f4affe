"""Every problem an API route answers with during the test run must be one its route declares (or one every
route of its kind may answer with), so the OpenAPI document's list of a route's errors stays true."""

from collections import defaultdict

from flask import Flask, Response, request

from dapp.app import api_routes
from dapp.web.api import implied_errors

PROBLEM = "application/problem+json"


class ProblemLog:
    """The problem codes each API endpoint answered with, as the app served them."""

    def __init__(self) -> None:
        self.seen: defaultdict[str, set[tuple[int, str]]] = defaultdict(set)

    def watch(self, app: Flask) -> None:
        app.after_request(self._record)

    def _record(self, response: Response) -> Response:
        if response.mimetype == PROBLEM and request.endpoint:
            problem = response.get_json()
            self.seen[request.endpoint].add((problem["status"], problem["code"]))
        return response

    def undeclared(self) -> list[str]:
        """`endpoint: status code` for each problem a route answered with but does not declare."""
        found = []
        for route in api_routes():
            endpoint = f"{route.blueprint}.{route.endpoint}"
            declared = {(error.status, error.code) for error in (*implied_errors(route), *route.errors)}
            found += [f"{endpoint}: {status} {code}" for status, code in sorted(self.seen[endpoint] - declared)]
        return found
