"""Per-country yields (kWh/kWp/year) managed by platform admins (R-READ-7, R-ACC-7)."""

from datetime import datetime
from decimal import Decimal

import pycountry
from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.access.permissions import PlatformAdmin
from dapp.audit import service as audit
from dapp.errors import field_error
from dapp.models.reads import CountryYield
from dapp.reads.errors import CountryYieldNotFound

CENTS = Decimal("0.01")


def list_all(session: Session) -> list[CountryYield]:
    return list(session.scalars(select(CountryYield).order_by(CountryYield.country_code)))


def set_yield(
    session: Session, admin: PlatformAdmin | None, country_code: str, value: Decimal, now: datetime
) -> CountryYield:
    """Create or change a country's yield; reads accepted from now on record it (and say it came from the country).

    `admin` is None when an operator sets it with `drec`; the change is audited either way (platform log)."""
    code = _country(country_code)
    if not Decimal(0) < value <= Decimal(8760):
        raise field_error("yield_kwh_per_kwp", "The yield must be more than 0 and at most 8760 kWh/kWp/year.")
    row = session.get(CountryYield, code) or CountryYield(country_code=code)
    before = row.yield_kwh_per_kwp
    row.yield_kwh_per_kwp, row.updated_at, row.updated_by_id = value, now, admin.user_id if admin else None
    session.add(row)
    session.flush()
    if before != value:
        _audit(session, admin, "country_yield.set", code, before, value, now)
    return row


def unset_yield(session: Session, admin: PlatformAdmin | None, country_code: str, now: datetime) -> None:
    """Remove a country's yield: reads fall back to the device's own yield or the platform default."""
    row = session.get(CountryYield, _country(country_code))
    if row is None:
        raise CountryYieldNotFound(f"No yield is configured for {country_code.upper()}.")
    session.delete(row)
    session.flush()
    _audit(session, admin, "country_yield.unset", row.country_code, row.yield_kwh_per_kwp, None, now)


def _audit(
    session: Session,
    admin: PlatformAdmin | None,
    action: str,
    code: str,
    before: Decimal | None,
    after: Decimal | None,
    now: datetime,
) -> None:
    audit.record(
        session,
        admin,
        action,
        "country_yield",
        code,
        {"yield_kwh_per_kwp": _as_stored(before)},
        {"yield_kwh_per_kwp": _as_stored(after)},
        now=now,
    )


def _as_stored(value: Decimal | None) -> str | None:
    """A yield as its column keeps it (two decimals), so that equal values read alike in the log."""
    return None if value is None else f"{value.quantize(CENTS):f}"


def _country(code: str) -> str:
    country = pycountry.countries.get(alpha_3=code.upper())
    if country is None:
        raise field_error("country_code", f"Unknown country '{code}': use an ISO 3166-1 alpha-3 code such as KEN.")
    return country.alpha_3
