"""Every code a device's field rules can refuse with is a named error (dapp.devices.errors.FIELD_RULES): a refusal
that breaks one rule is answered with that rule's error, so a rule without one would be a server error."""

import ast
from pathlib import Path

from dapp.devices.errors import FIELD_RULES

DEVICES = Path(__file__).resolve().parents[2] / "dapp" / "devices"
# Where a rule code is written: Problem(field, code, …), rules.invalid(field, code, …), field_error(field, …, code).
CODE_ARGUMENT = {"Problem": 1, "invalid": 1, "field_error": 2}


def rule_codes() -> set[str]:
    codes = set()
    for path in [DEVICES / "rules.py", DEVICES / "timezones.py", *sorted((DEVICES / "service").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            position = CODE_ARGUMENT.get(name)
            if position is not None and len(node.args) > position:
                argument = node.args[position]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    codes.add(argument.value)
    return codes


def test_every_field_rule_has_a_named_error() -> None:
    codes = rule_codes()
    assert {"unknown_value", "timezone_required", "locked_after_certification"} <= codes
    assert codes <= {error.code for error in FIELD_RULES}
