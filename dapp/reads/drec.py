"""How the original D-REC platform's read requests are read on its route (R-READ-2, ADR 0101).

The original parsed `endtimestamp` with JavaScript's `new Date(...)` (and `moment.tz` with a `timezone`): a time
without an offset and without `timezone` is UTC there, epoch milliseconds are a time, zone names match in any
case, and a blank `starttimestamp` (its own examples send `" "`) means none. These functions turn such values
into what R-READ-1 reads; anything else is passed on unchanged and judged by the usual rules.
"""

from datetime import UTC, datetime
from functools import cache
from zoneinfo import available_timezones

UTC_ZONE = "UTC"


def timestamp(value: str | int | float | None) -> str | None:
    """An ISO 8601 time for a read's timestamp: epoch milliseconds (number or digits) become UTC, blank is none."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if isinstance(value, int | float) or text.isdigit():
        return datetime.fromtimestamp(float(text) / 1000, UTC).isoformat()
    return text


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}


def zone(name: str | None) -> str:
    """The IANA zone named in any case; none means UTC on this route. An unknown name is returned unchanged (the
    read is then refused with the usual reason)."""
    if name is None or not name.strip():
        return UTC_ZONE
    return _zones_by_folded_name().get(name.strip().casefold(), name)


def organization_of_ours(organization_id: str | int | None) -> str | None:
    """The organization id to check against the API key's: the original's numeric ids name none of ours, so they
    are tolerated and not checked."""
    if organization_id is None or isinstance(organization_id, int) or str(organization_id).strip().isdigit():
        return None
    return str(organization_id)
