"""Jinja filters: energy with units, instants in a zone with UTC alongside, short hashes, links to content."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from markupsafe import Markup

from dapp import platform

UNITS = [(1_000_000_000, "GWh"), (1_000_000, "MWh"), (1_000, "kWh")]


def energy(wh: int | None) -> str:
    """Wh shown in the largest unit that keeps the value ≥ 1, exact to the Wh."""
    if wh is None:
        return "—"
    for factor, unit in UNITS:
        if abs(wh) >= factor:
            whole, rest = divmod(wh, factor)
            decimals = str(rest).rjust(len(str(factor)) - 1, "0").rstrip("0")
            return f"{whole:,}{'.' + decimals if decimals else ''} {unit}"
    return f"{wh:,} Wh"


def local_time(instant: datetime | None, zone: str = "UTC") -> str:
    if instant is None:
        return "—"
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} {zone}"


def when(instant: datetime | str | None, zone: str | None = "UTC") -> Markup:
    """An instant (or its ISO 8601 text) in `zone` with the zone's name, the UTC instant beside it (R-DEV-4,
    R-TZ-2)."""
    if instant is None:
        return Markup("—")
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant)
    zone = zone or "UTC"
    utc = instant.astimezone(UTC)
    stamp = utc.isoformat().replace("+00:00", "Z")
    if zone == "UTC":
        return Markup('<time datetime="{}">{}</time>').format(stamp, local_time(instant, zone))
    return Markup('<time datetime="{}">{} <small class="utc">({:%Y-%m-%d %H:%M} UTC)</small></time>').format(
        stamp, local_time(instant, zone), utc
    )


def cid_url(cid: str) -> str:
    """The gateway address where anyone reads the document of a content id."""
    return f"{platform.current().settings.ipfs_gateway_url.rstrip('/')}/{cid}"


def short_hash(value: str | None, keep: int = 10) -> str:
    if not value:
        return "—"
    return value if len(value) <= 2 * keep else f"{value[:keep]}…{value[-6:]}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        energy=energy, local_time=local_time, short_hash=short_hash, when=when, cid_url=cid_url
    )
