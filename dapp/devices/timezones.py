"""A device's IANA time zone (R-DEV-4): from coordinates, else the country's only zone, else the user's pick."""

from decimal import Decimal
from functools import cache

import pycountry
import pytz
from timezonefinder import TimezoneFinder

from dapp.errors import field_error


@cache
def _finder() -> TimezoneFinder:
    return TimezoneFinder()


def country_zones(alpha3: str) -> list[str]:
    country = pycountry.countries.get(alpha_3=alpha3)
    return list(pytz.country_timezones.get(country.alpha_2, [])) if country else []


def resolve(country: str, latitude: Decimal | None, longitude: Decimal | None, chosen: str | None) -> str:
    zones = country_zones(country)
    if chosen:
        if chosen not in zones:
            raise field_error("timezone", f"'{chosen}' is not a time zone of {country}; accepted: {', '.join(zones)}.")
        return chosen
    if latitude is not None and longitude is not None:
        found = _finder().timezone_at(lat=float(latitude), lng=float(longitude))
        if found:
            return found
    if len(zones) == 1:
        return zones[0]
    raise field_error(
        "timezone", f"{country} has several time zones; choose one of: {', '.join(zones)}.", "timezone_required"
    )
