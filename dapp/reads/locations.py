"""Where a device is, for the clear-sky check: its coordinates, else its country's centroid (R-READ-8).

Centroids come from the `countryinfo` package (a maintained dataset keyed by ISO 3166-1 codes), not from a
hand-written list. A few territories have none there; their devices are not checked and the read says so.
"""

from decimal import Decimal
from functools import cache
from typing import NamedTuple

from countryinfo import CountryInfo
from countryinfo.exceptions import CountryNotFoundError

DEVICE = "device"
COUNTRY_CENTROID = "country_centroid"
UNKNOWN = "unknown"


class Location(NamedTuple):
    latitude: float
    longitude: float
    source: str  # device or country_centroid


def locate(latitude: Decimal | float | None, longitude: Decimal | float | None, country_code: str) -> Location | None:
    """The device's own coordinates when it has them, else its country's centroid, else None."""
    if latitude is not None and longitude is not None:
        return Location(float(latitude), float(longitude), DEVICE)
    centroid = country_centroid(country_code)
    if centroid is None:
        return None
    return Location(centroid[0], centroid[1], COUNTRY_CENTROID)


@cache
def country_centroid(country_code: str) -> tuple[float, float] | None:
    try:
        latlng = CountryInfo(country_code).latlng()
    except CountryNotFoundError:
        return None
    if not latlng or len(latlng) != 2:
        return None
    return float(latlng[0]), float(latlng[1])
