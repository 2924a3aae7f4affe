"""R-READ-7's rule function: the fast evaluation gives, for every input, the whole number the exact (decimal)
evaluation gives (ADR 0060), including where a plain floating-point evaluation lands on the wrong side of one."""

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dapp.reads import rules
from dapp.reads.rules import DeviceProfile, exact_max_energy_wh, max_energy_wh

START = datetime(2026, 3, 1, tzinfo=UTC)

capacities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1_000_000), places=3)
yields = st.decimals(min_value=Decimal(0), max_value=Decimal(10_000), places=2)
commissioning = st.dates(min_value=date(1990, 1, 1), max_value=date(2026, 2, 28))
durations = st.integers(min_value=1, max_value=3 * 366 * 86_400 * 1_000_000).map(lambda us: timedelta(microseconds=us))


@given(capacities, yields, commissioning, durations)
def test_the_fast_evaluation_gives_the_exact_whole_number(capacity, yield_, commissioned, duration) -> None:
    profile = DeviceProfile(capacity, yield_, commissioned)
    assert max_energy_wh(profile, START, START + duration) == exact_max_energy_wh(profile, START, START + duration)


# Capacities and yields that make the exact limit a whole number or a hair below one (1500 / 8760 rounds down in
# decimal) for a device in its first year, over whole hours: floating point lands above it, about half the time.
round_capacities = st.integers(min_value=1, max_value=2_000).map(lambda n: Decimal("4.38") * n)
round_yields = st.sampled_from([Decimal(500), Decimal(1000), Decimal(1500), Decimal(2000), Decimal(2190)])
whole_hours = st.integers(min_value=1, max_value=24 * 365).map(lambda h: timedelta(hours=h))


@given(round_capacities, round_yields, whole_hours)
def test_limits_on_or_next_to_a_whole_number_are_exact(capacity, yield_, duration) -> None:
    profile = DeviceProfile(capacity, yield_, date(2026, 1, 1))
    assert max_energy_wh(profile, START, START + duration) == exact_max_energy_wh(profile, START, START + duration)


def test_where_floating_point_alone_is_one_wh_too_generous_the_exact_limit_holds() -> None:
    profile = DeviceProfile(Decimal("17.52"), Decimal(1500), date(2026, 1, 1))
    end = START + timedelta(hours=1)
    assert math.floor(rules._approximate_max_energy(profile, START, end)) == 3_600
    assert exact_max_energy_wh(profile, START, end) == 3_599
    assert max_energy_wh(profile, START, end) == 3_599


def test_the_limit_follows_the_formula() -> None:
    """5 kW, 2000 kWh/kWp/year, 2 hours, in the device's first year: 5 × 1000 × 2000/8760 × 2 × 1.2 = 2739.7 Wh;
    ten years later, 0.995^9 of it (age at the middle of the interval)."""
    profile = DeviceProfile(Decimal(5), Decimal(2000), date(2026, 1, 1))
    assert max_energy_wh(profile, START, START + timedelta(hours=2)) == 2_739
    later = datetime(2036, 1, 1, 23, tzinfo=UTC)
    assert max_energy_wh(profile, later, later + timedelta(hours=2)) == int(2739.726 * 0.995**9)
