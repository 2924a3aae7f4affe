"""The registry served over HTTP, and the three doors an auditor may take to a verdict: the page, the API and
the standalone verifier; they must agree."""

import io
import json
import re
from collections.abc import Iterator
from contextlib import redirect_stdout
from typing import Any

import pytest

from dapp import platform
from drec_verifier.cli import main
from tests.support.server import serving

VERDICT_TEXT = {"consistent": "Consistent:", "inconsistent": "Not consistent:"}


@pytest.fixture(scope="session")
def registry(app) -> Iterator[str]:
    """The registry's public base URL (pages, API, gateway, discovery)."""
    with serving(app) as url:
        yield url


def standalone(registry: str, *command: str) -> tuple[int, dict[str, Any]]:
    """Run the standalone verifier against the registry (chain + gateway + public register); (exit, report)."""
    rpc = platform.current().settings.chain_rpc_url
    out = io.StringIO()
    with redirect_stdout(out):
        status = main(["--rpc", rpc, "--registry", registry, "--gateway", registry, "--json", *command])
    return status, json.loads(out.getvalue())


def failed(report: dict[str, Any]) -> list[str]:
    return [c["name"] for c in report["checks"] if not c["passed"]]


def agree(app, registry: str, kind: str, reference: str) -> dict[str, Any]:
    """The API's report, after checking that the page and the standalone verifier reach the same verdict with
    the same failed checks."""
    plural = f"{kind}s"
    api = app.test_client().get(f"/api/v1/verify/{plural}/{reference}")
    page = app.test_client().get(f"/verify/{plural}/{reference}")
    status, report = standalone(registry, kind, reference)
    if api.status_code == 404:
        assert (page.status_code, status, report["verdict"]) == (404, 2, "not_found")
        return api.json
    assert api.status_code == page.status_code == 200
    assert report["verdict"] == api.json["verdict"]
    assert failed(report) == failed(api.json)
    assert status == (0 if report["verdict"] == "consistent" else 1)
    text = re.sub(r"\s+", " ", page.get_data(as_text=True))
    assert VERDICT_TEXT[api.json["verdict"]] in text
    return api.json
