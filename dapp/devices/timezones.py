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


@cache
def country_zones(alpha3: str) -> list[str]:
    """The IANA zones of a country (ISO alpha-3), the choices of a time-zone picker (R-TZ-3)."""
    country = pycountry.countries.get(alpha_3=alpha3.upper())
    return list(pytz.country_timezones.get(country.alpha_2, [])) if country else []


def resolve(country: str, latitude: Decimal | None, longitude: Decimal | None, chosen: str | None) -> str:
    zones = country_zones(country)
    if chosen:
        if chosen not in zones:
            raise field_error(
                "timezone",
                f"Time zone '{chosen}' is not a zone of {country}; accepted values: {', '.join(zones)}.",
                "timezone_not_in_country",
            )
        return chosen
    if latitude is not None and longitude is not None:
        found = _finder().timezone_at(lat=float(latitude), lng=float(longitude))
        if found:
            return found
    if len(zones) == 1:
        return zones[0]
    raise field_error(
        "timezone",
        f"{country} has several time zones and no coordinates were given; choose one of: {', '.join(zones)}.",
        "timezone_required",
    )
