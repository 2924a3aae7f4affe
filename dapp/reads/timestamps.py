"""Read timestamps: ISO 8601 with an offset is absolute; without one it is local time in a stated zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dapp.errors import field_error


class BadTimestamp(ValueError):
    """A read's timestamp that cannot be understood."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise field_error(
            "timezone", f"Unknown time zone '{name}': use an IANA name such as 'Africa/Nairobi'."
        ) from error


def parse_instant(text: str, local_zone: ZoneInfo) -> datetime:
    """The UTC instant `text` denotes; naive times are read in `local_zone` (DST gaps resolved forward)."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise BadTimestamp(f"'{text}' is not an ISO 8601 timestamp.") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local_zone)
    return parsed.astimezone(UTC)
