"""Versioned validation rules. Each accepted read records the version of the rule that admitted it.

R-READ-7, maximum energy for an interval:
    max_Wh = capacity_kW × 1000 × (yield / 8760) × hours × (1 − degradation)^(age_years − 1) × (1 + tolerance)
with `age_years` the device's age at the middle of the interval (at least 1).
"""

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

MAX_ENERGY_RULE = "max-energy/1"
HOURS_PER_YEAR = 8760
DAYS_PER_YEAR = Decimal("365.25")
DEGRADATION = Decimal("0.005")
TOLERANCE = Decimal("0.20")


@dataclass(frozen=True)
class DeviceProfile:
    """What the rules need to know about a device."""

    capacity_kw: Decimal
    yield_kwh_per_kwp: Decimal
    commissioning_date: date


def device_age_years(commissioning: date, instant: datetime) -> Decimal:
    commissioned_at = datetime.combine(commissioning, time(), tzinfo=UTC)
    age_days = Decimal((instant - commissioned_at).total_seconds()) / Decimal(86_400)
    return max(Decimal(1), age_days / DAYS_PER_YEAR)


def max_energy_wh(profile: DeviceProfile, start: datetime, end: datetime) -> int:
    """The most energy the device can plausibly have produced in `[start, end)`, in Wh (rounded down)."""
    hours = Decimal((end - start).total_seconds()) / Decimal(3600)
    middle = start + (end - start) / 2
    age = device_age_years(profile.commissioning_date, middle)
    degradation = Decimal(math.pow(1 - float(DEGRADATION), float(age - 1)))
    limit = (
        profile.capacity_kw
        * 1000
        * (profile.yield_kwh_per_kwp / HOURS_PER_YEAR)
        * hours
        * degradation
        * (1 + TOLERANCE)
    )
    return int(limit)
