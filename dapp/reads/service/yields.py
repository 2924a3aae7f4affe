"""Per-country yields (kWh/kWp/year) managed by platform admins (R-READ-7, R-ACC-7)."""

import uuid
from datetime import datetime
from decimal import Decimal

import pycountry
from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.errors import field_error
from dapp.models.reads import CountryYield
from dapp.reads.errors import CountryYieldNotFound


def list_all(session: Session) -> list[CountryYield]:
    return list(session.scalars(select(CountryYield).order_by(CountryYield.country_code)))


def set_yield(
    session: Session, user_id: uuid.UUID | None, country_code: str, value: Decimal, now: datetime
) -> CountryYield:
    """Create or change a country's yield; reads accepted from now on record it (and say it came from the country)."""
    code = _country(country_code)
    if not Decimal(0) < value <= Decimal(8760):
        raise field_error("yield_kwh_per_kwp", "The yield must be more than 0 and at most 8760 kWh/kWp/year.")
    row = session.get(CountryYield, code) or CountryYield(country_code=code)
    row.yield_kwh_per_kwp, row.updated_at, row.updated_by_id = value, now, user_id
    session.add(row)
    session.flush()
    return row


def unset_yield(session: Session, country_code: str) -> None:
    row = session.get(CountryYield, _country(country_code))
    if row is None:
        raise CountryYieldNotFound(f"No yield is configured for {country_code.upper()}.")
    session.delete(row)
    session.flush()


def _country(code: str) -> str:
    country = pycountry.countries.get(alpha_3=code.upper())
    if country is None:
        raise field_error("country_code", f"Unknown country '{code}': use an ISO 3166-1 alpha-3 code such as KEN.")
    return country.alpha_3
