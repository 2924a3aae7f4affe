"""Code lists of R-DEV-1: codes are stored, names are shown."""

import pycountry

FUELS = {"ES100": "Solar"}

DEVICE_TYPES = {
    "TC110": "PV ground mounted",
    "TC120": "PV roof mounted (single installation)",
    "TC130": "PV floating",
    "TC140": "PV aggregated",
    "TC150": "Solar thermal concentration",
}

OFF_TAKERS = [
    "School",
    "Health Facility",
    "Residential",
    "Commercial",
    "Industrial",
    "Public Sector",
    "Agriculture",
    "Utility",
    "Off-Grid Community",
    "Education",
]


def country_name(alpha3: str) -> str | None:
    """The country's name for an ISO 3166-1 alpha-3 code, or None when the code is unknown."""
    country = pycountry.countries.get(alpha_3=alpha3.upper())
    return country.name if country else None


def country_codes() -> list[str]:
    return sorted(country.alpha_3 for country in pycountry.countries)
