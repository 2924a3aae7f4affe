"""The standalone verifier (R-REG-4): imports nothing from the application, verifies the whole registry from
the chain and the gateway, and exits non-zero on any inconsistency."""

import ast
import json
import subprocess
import sys
from pathlib import Path

from dapp import platform
from tests.indexer import onchain
from tests.test_slice import build_slice, certificates, expected_first_window_wh
from tests.verify.conftest import standalone
from tests.verify.test_verify_certificate import forge_copy

PACKAGE = Path(__file__).resolve().parents[2] / "drec_verifier"


def test_the_verifier_imports_nothing_from_the_application() -> None:
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.split(".")[0] in ("dapp", "indexer", "tests")], path


def test_an_untouched_registry_verifies_clean_and_a_forgery_fails_the_whole_scan(app, settings, registry) -> None:
    first = str(onchain.head() + 1)
    journey = build_slice(app, settings)
    [certificate] = certificates(journey["buyer"])
    status, report = standalone(registry, "--from-block", first, "all")
    assert (status, report["verdict"], report["inconsistent"]) == (0, "consistent", [])
    assert (report["certificates"], report["reservations"]) == (1, 1)
    signer = onchain.platform_chain().signer.address
    passed = {c["name"] for c in report["checks"] if c["passed"]}
    assert {
        f"{signer} holds ISSUER_ROLE",
        f"{signer} holds LOGGER_ROLE",
        "the node is on the registry's chain",
    } <= passed
    assert report["totals"] == [
        {
            "country": "KEN",
            "period": "2026-06",
            "issued_wh": expected_first_window_wh(),
            "held_wh": expected_first_window_wh(),
            "claimed_wh": 0,
        }
    ]

    forged = forge_copy(certificate)
    status, report = standalone(registry, "--from-block", first, "all")
    assert (status, report["verdict"]) == (1, "inconsistent")
    assert f"certificate {forged}" in report["inconsistent"]
    assert "every certificate belongs to a logged reservation" in report["inconsistent"]
    [twice] = report["double_certified"]
    assert sorted(twice["tokens"]) == sorted([certificate["token_id"], forged])


def test_the_command_exits_non_zero_and_prints_json(app, settings, registry) -> None:
    owner = onchain.new_wallet().address
    [token] = onchain.issue(owner, 100)  # outside the platform: no document, no record
    command = [
        sys.executable,
        "-m",
        "drec_verifier",
        "--rpc",
        platform.current().settings.chain_rpc_url,
        "--registry",
        registry,
        "--gateway",
        registry,
        "--json",
        "certificate",
        token,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=PACKAGE.parent, check=False)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["verdict"] == "inconsistent"
    never = subprocess.run([*command[:-1], "12345"], capture_output=True, text=True, timeout=120, cwd=PACKAGE.parent)
    assert never.returncode == 2


def test_the_discovery_document_and_how_to_verify_page_name_the_chain(app, settings) -> None:
    facts = app.test_client().get("/.well-known/drec-registry.json").json
    deployment = json.loads(settings.deployment_file.read_text())
    assert facts["chain_id"] == deployment["chain_id"]
    assert facts["deployment_block"] == deployment["block_number"]
    assert facts["contracts"]["DrecCertificates"]["address"] == deployment["contracts"]["DrecCertificates"]["address"]
    assert facts["issuer_accounts"] == [onchain.platform_chain().signer.address]
    page = app.test_client().get("/verify/how").get_data(as_text=True)
    assert deployment["contracts"]["ReservationLog"]["address"] in page
    assert "python -m drec_verifier" in page
