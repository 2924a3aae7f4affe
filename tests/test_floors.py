"""The floors of the house (STYLE.md "Floors", docs/architecture.md): a package imports only packages below it.

Every import of `dapp/` and `indexer/` counts, at module level or inside a function. The packages are listed
from the ground up; a package may import its own modules and any package listed before it, never one listed
after it. The order among features is part of the rule: a feature may use a lower feature's services, and two
features never import each other. Third-party rules ride along: only the chain adapter and the indexer speak
web3, and no service (`service.py`, `service/`) imports Flask.
"""

import ast
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GROUND = [
    "dapp.keccak",
    "dapp.logs",
    "dapp.settings",
    "dapp.errors",
    "dapp.months",
    "dapp.codes",
    "dapp.security",
    "dapp.clock",
    "dapp.db",
    "dapp.migrations",
    "dapp.models",
    "dapp.access",
]
ADAPTERS = [
    "dapp.ipfs",
    "dapp.platform",
    "dapp.events",
    "dapp.metrics",
    "dapp.mail",
    "dapp.chain",
    "dapp.outages",
    "dapp.probes",
    "dapp.irec.registry",
    "dapp.irec.simulator",
]
KIT = ["dapp.web"]
FEATURES = [
    "indexer",
    "dapp.audit",
    "dapp.notify",
    "dapp.accounts",
    "dapp.devices",
    "dapp.reads",
    "dapp.reservations",
    "dapp.issuance",
    "dapp.irec",
    "dapp.verify",
    "dapp.webhooks",
    "dapp.admin",
]
WIRING = ["dapp.jobs", "dapp.demo", "dapp.operate", "dapp.app", "dapp.cli", "dapp.gunicorn_conf", "dapp"]
FLOORS = GROUND + ADAPTERS + KIT + FEATURES + WIRING

# Imports allowed against the order, each with its reason. Keep this list short.
EXCEPTIONS: dict[tuple[str, str], str] = {}

WEB3_PACKAGES = ("web3", "eth_account", "eth_keys", "eth_utils", "hexbytes", "eth_abi")
WEB3_ALLOWED = ("dapp.chain", "indexer")
FLASK_PACKAGES = ("flask", "flask_login", "flask_wtf", "werkzeug", "wtforms")


def modules() -> Iterator[tuple[str, Path]]:
    for top in ("dapp", "indexer"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def is_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every absolute import in the file; `from a import b` names `a.b` when b is a module."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                yield node.lineno, name if is_module(name) else node.module


def floor_of(module: str) -> int | None:
    """The index in FLOORS of the most specific package holding `module`; None outside the project."""
    matches = [i for i, package in enumerate(FLOORS) if module == package or module.startswith(package + ".")]
    return max(matches, key=lambda i: len(FLOORS[i])) if matches else None


def upward_imports() -> list[str]:
    found = []
    for module, path in modules():
        here = floor_of(module)
        for line, target in imported(path):
            there = floor_of(target)
            if here is None or there is None or there <= here:
                continue
            if (FLOORS[here], FLOORS[there]) not in EXCEPTIONS:
                found.append(f"{path.relative_to(ROOT)}:{line} {module} imports {target} ({FLOORS[there]} is above)")
    return found


def test_no_package_imports_a_package_above_it() -> None:
    assert upward_imports() == []


def test_every_exception_is_still_needed() -> None:
    used = set()
    for module, path in modules():
        here = floor_of(module)
        for _, target in imported(path):
            there = floor_of(target)
            if here is not None and there is not None and there > here:
                used.add((FLOORS[here], FLOORS[there]))
    assert set(EXCEPTIONS) <= used


def test_only_the_chain_adapter_and_the_indexer_speak_web3() -> None:
    assert _importers(WEB3_PACKAGES, lambda module: module.startswith(WEB3_ALLOWED)) == []


def test_services_know_nothing_of_flask() -> None:
    assert _importers(FLASK_PACKAGES, lambda module: ".service" not in module) == []


def _importers(packages: tuple[str, ...], may_import: Callable[[str], bool]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for module, path in modules()
        for line, target in imported(path)
        if target.split(".")[0] in packages and not may_import(module)
    ]


def test_every_module_stands_on_a_floor() -> None:
    assert [module for module, _ in modules() if floor_of(module) is None] == []
