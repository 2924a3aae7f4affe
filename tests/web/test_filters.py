"""Template filters of the web kit: an instant in its zone with UTC beside it (R-DEV-4, R-TZ-2)."""

from datetime import UTC, datetime

from dapp.web.filters import when


def test_an_instant_shows_in_its_zone_with_utc_beside_it() -> None:
    shown = when(datetime(2026, 6, 1, 4, 10, tzinfo=UTC), "Africa/Nairobi")
    assert shown == (
        '<time datetime="2026-06-01T04:10:00Z">2026-06-01 07:10 Africa/Nairobi'
        ' <small class="utc">(2026-06-01 04:10 UTC)</small></time>'
    )


def test_iso_text_and_utc_show_once_and_nothing_shows_a_dash() -> None:
    assert when("2026-06-01T04:10:00Z") == '<time datetime="2026-06-01T04:10:00Z">2026-06-01 04:10 UTC</time>'
    assert when(datetime(2026, 6, 1, 4, 10, tzinfo=UTC), None).endswith("04:10 UTC</time>")
    assert when(None) == "—"
