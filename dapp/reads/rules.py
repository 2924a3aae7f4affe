"""Versioned validation rules. Each accepted read records the version of the rule that admitted it.

R-READ-7, maximum energy for an interval:
    max_Wh = capacity_kW × 1000 × (yield / 8760) × hours × (1 − degradation)^(age_years − 1) × (1 + tolerance)
with `age_years` the device's age at the middle of the interval (at least 1).

The rule is defined by its exact evaluation in decimal arithmetic (`exact_max_energy_wh`). `max_energy_wh` first
evaluates it in binary floating point, about four times faster, and keeps that result only when it is provably
the same whole number: when the approximation lies farther from every whole number than any rounding error of
either evaluation can reach (ADR 0060). Otherwise it evaluates exactly; for a limit of L Wh that happens
about 2·10⁻¹² × L of the time, and wherever floating point alone would cross a whole number.
"""

import math
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

MAX_ENERGY_RULE = "max-energy/1"
HOURS_PER_YEAR = 8760
DAYS_PER_YEAR = Decimal("365.25")
DEGRADATION = Decimal("0.005")
TOLERANCE = Decimal("0.20")
# The same values, made once instead of for every read.
SECONDS_PER_HOUR = Decimal(3600)
SECONDS_PER_DAY = Decimal(86_400)
MINIMUM_AGE_YEARS = Decimal(1)
KEPT_PER_YEAR = 1 - float(DEGRADATION)
TOLERANCE_FACTOR = 1 + TOLERANCE
# Floating point: W per kW × tolerance per (hours per year × seconds per hour), one rounding.
WH_PER_KW_SECOND_AND_YIELD = 1000 * float(TOLERANCE_FACTOR) / (HOURS_PER_YEAR * 3600)
SECONDS_PER_YEAR = 86_400 * float(DAYS_PER_YEAR)
# Each evaluation is within about 10⁻¹⁵ of the exact value, relatively (a dozen roundings of 2⁻⁵³ in floating
# point, of 10⁻²⁸ in decimal); whole numbers farther than 10⁻¹² from the approximation cannot be crossed.
SAFE_DISTANCE = 1e-12


class DeviceProfile(NamedTuple):
    """What the rules need to know about a device (a named tuple: one is made per device in every batch)."""

    capacity_kw: Decimal
    yield_kwh_per_kwp: Decimal
    commissioning_date: date


@lru_cache(maxsize=4096)
def _commissioned_at(commissioning: date) -> datetime:
    return datetime.combine(commissioning, time(), tzinfo=UTC)


def device_age_years(commissioning: date, instant: datetime) -> Decimal:
    age_days = Decimal((instant - _commissioned_at(commissioning)).total_seconds()) / SECONDS_PER_DAY
    return max(MINIMUM_AGE_YEARS, age_days / DAYS_PER_YEAR)


def max_energy_wh(profile: DeviceProfile, start: datetime, end: datetime) -> int:
    """The most energy the device can plausibly have produced in `[start, end)`, in Wh (rounded down)."""
    approximation = _approximate_max_energy(profile, start, end)
    whole = math.floor(approximation)
    margin = approximation * SAFE_DISTANCE
    if margin < approximation - whole < 1 - margin:
        return whole
    return exact_max_energy_wh(profile, start, end)


def _approximate_max_energy(profile: DeviceProfile, start: datetime, end: datetime) -> float:
    seconds = (end - start).total_seconds()
    age = ((start - _commissioned_at(profile.commissioning_date)).total_seconds() + seconds / 2) / SECONDS_PER_YEAR
    degradation = math.pow(KEPT_PER_YEAR, max(age, 1.0) - 1)
    return (
        float(profile.capacity_kw)
        * float(profile.yield_kwh_per_kwp)
        * seconds
        * degradation
        * WH_PER_KW_SECOND_AND_YIELD
    )


def exact_max_energy_wh(profile: DeviceProfile, start: datetime, end: datetime) -> int:
    """`max-energy/1` by its definition: decimal arithmetic (28 digits), the degradation factor in floating point."""
    duration = end - start
    hours = Decimal(duration.total_seconds()) / SECONDS_PER_HOUR
    age = device_age_years(profile.commissioning_date, start + duration / 2)
    degradation = Decimal(math.pow(KEPT_PER_YEAR, float(age - 1)))
    limit = (
        profile.capacity_kw
        * 1000
        * (profile.yield_kwh_per_kwp / HOURS_PER_YEAR)
        * hours
        * degradation
        * TOLERANCE_FACTOR
    )
    return int(limit)
