"""Energy certified twice: contributions of one device, in different certificates, whose intervals overlap."""

from collections import defaultdict
from datetime import datetime
from typing import Any

from drec_verifier.report import Report


def double_certified(verdicts: dict[int, Report]) -> list[dict[str, Any]]:
    """Pairs of contributions of one device, in different certificates, whose intervals overlap."""
    by_device: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for token, verdict in verdicts.items():
        document = verdict.facts.get("metadata")
        for c in document.get("contributions", []) if isinstance(document, dict) else []:
            by_device[c["device_id"]].append((_at(c["start"]), _at(c["end"]), str(token)))
    found = []
    for device, intervals in by_device.items():
        intervals.sort()
        reach: tuple[datetime, datetime, str] | None = None
        for interval in intervals:
            if reach is not None and interval[0] < reach[1] and interval[2] != reach[2]:
                found.append(
                    {
                        "device_id": device,
                        "tokens": [reach[2], interval[2]],
                        "from": interval[0].isoformat(),
                        "until": min(reach[1], interval[1]).isoformat(),
                    }
                )
            if reach is None or interval[1] > reach[1]:
                reach = interval
    return found


def _at(instant: str) -> datetime:
    return datetime.fromisoformat(instant)
