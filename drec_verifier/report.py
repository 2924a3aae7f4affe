"""A verification's outcome: named checks, each passed or not with a detail a person can follow, and the facts
they were made from. The verdict is consistent only when every check passed."""

from dataclasses import dataclass, field
from typing import Any

CONSISTENT, INCONSISTENT = "consistent", "inconsistent"


@dataclass
class Report:
    kind: str
    subject: str
    checks: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def check(self, name: str, passed: bool, detail: str) -> None:
        self.checks.append({"name": name, "passed": bool(passed), "detail": detail})

    @property
    def verdict(self) -> str:
        return CONSISTENT if all(c["passed"] for c in self.checks) else INCONSISTENT

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "verdict": self.verdict,
            "checks": self.checks,
            **self.facts,
        }
