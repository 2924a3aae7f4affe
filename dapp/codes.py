"""Code lists of R-DEV-1: codes are stored, names are shown.

Off-takers and device descriptions have no separate codes: their names are the stored values (as in the
original D-REC platform). Countries come from pycountry (ISO 3166-1 alpha-3), never from a hand-written list.
"""

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

DEVICE_DESCRIPTIONS = [
    "Solar Lantern",
    "Solar Home System",
    "Mini Grid",
    "Rooftop Solar",
    "Ground Mount Solar",
]

# The UN Sustainable Development Goals, by code.
SDGS = {
    "SDG1": "No Poverty",
    "SDG2": "Zero Hunger",
    "SDG3": "Good Health and Well-being",
    "SDG4": "Quality Education",
    "SDG5": "Gender Equality",
    "SDG6": "Clean Water and Sanitation",
    "SDG7": "Affordable and Clean Energy",
    "SDG8": "Decent Work and Economic Growth",
    "SDG9": "Industry, Innovation and Infrastructure",
    "SDG10": "Reduced Inequalities",
    "SDG11": "Sustainable Cities and Communities",
    "SDG12": "Responsible Consumption and Production",
    "SDG13": "Climate Action",
    "SDG14": "Life Below Water",
    "SDG15": "Life on Land",
    "SDG16": "Peace, Justice and Strong Institutions",
    "SDG17": "Partnerships for the Goals",
}


def country_name(alpha3: str) -> str | None:
    """The country's name for an ISO 3166-1 alpha-3 code, or None when the code is unknown."""
    country = pycountry.countries.get(alpha_3=alpha3.upper())
    return country.name if country else None


def country_codes() -> list[str]:
    return sorted(country.alpha_3 for country in pycountry.countries)


def countries() -> list[tuple[str, str]]:
    """(alpha-3 code, name) of every country, by name: for pickers and the upload template."""
    return sorted(((c.alpha_3, c.name) for c in pycountry.countries), key=lambda pair: pair[1])
