"""R-READ-8's clear-sky limit (rule `clear-sky/1`, ADR 0032) is defined by pvlib's functions; the module computes
the same formulas in lean numpy (ADR 0038). The reference below is the module's former pvlib code, kept as the
definition of the rule: on many random intervals — nights, latitudes to ±60°, sunrise and sunset inside an
interval, 1 minute to 1 day, 0.01 to 1,000 kW — the lean code must give the very same floats, bit for bit."""

import math
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from pvlib import atmosphere, clearsky, irradiance, solarposition

from dapp.reads import plausibility
from dapp.reads.plausibility import (
    ALBEDO,
    LINKE_TURBIDITY,
    MIN_SAMPLES,
    SAMPLE_SECONDS,
    TOLERANCE,
    Interval,
    clear_sky_limits,
)

SLACK = timedelta(minutes=5)
FIRST = datetime(2000, 1, 1, tzinfo=UTC)
YEARS = 40
BERLIN = ZoneInfo("Europe/Berlin")


# --- the reference: rule clear-sky/1 with pvlib's own functions ---


def pvlib_samples(intervals: list[Interval], slack: timedelta) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each sample's interval, its length in seconds and its irradiance in W/m²."""
    starts = np.array([(i.start - slack).timestamp() for i in intervals])
    ends = np.array([(i.end + slack).timestamp() for i in intervals])
    counts = np.maximum(MIN_SAMPLES, np.ceil((ends - starts) / SAMPLE_SECONDS)).astype(np.int64)
    owner = np.repeat(np.arange(len(intervals)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    step = (ends - starts) / counts
    times = starts[owner] + (offsets + 0.5) * step[owner]  # midpoints of equal sub-intervals
    latitude = np.array([i.latitude for i in intervals])[owner]
    longitude = np.array([i.longitude for i in intervals])[owner]
    return owner, step[owner], pvlib_irradiance(times, latitude, longitude)


def pvlib_unrounded_limits(intervals: list[Interval], slack: timedelta) -> np.ndarray:
    owner, step, irradiance_wm2 = pvlib_samples(intervals, slack)
    watt_hours_per_kw = np.bincount(owner, weights=irradiance_wm2 * step / 3600, minlength=len(intervals))
    capacity = np.array([float(i.capacity_kw) for i in intervals])
    return capacity * watt_hours_per_kw * (1 + TOLERANCE)


def pvlib_irradiance(unix_seconds: np.ndarray, latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    """W/m² on a sun-facing plane under a very clean sky, 0 when the sun is down."""
    day_of_year, zenith = pvlib_sun(unix_seconds, latitude, longitude)
    with np.errstate(divide="ignore", invalid="ignore"):  # the sun below the horizon gives inf/NaN, zeroed below
        airmass = atmosphere.get_absolute_airmass(atmosphere.get_relative_airmass(zenith))
        sky = clearsky.ineichen(
            zenith, airmass, LINKE_TURBIDITY, altitude=0, dni_extra=irradiance.get_extra_radiation(day_of_year)
        )
    plane = sky["dni"] + sky["dhi"] + ALBEDO * sky["ghi"] / 2
    return np.where(zenith < 90, np.nan_to_num(plane), 0.0)


def pvlib_sun(unix_seconds: np.ndarray, latitude: np.ndarray, longitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The day of the year and the solar zenith in degrees."""
    instants = unix_seconds.astype("datetime64[s]")
    day_of_year = (instants.astype("datetime64[D]") - instants.astype("datetime64[Y]")).astype(np.int64) + 1
    utc_hours = (unix_seconds % 86_400) / 3600
    declination = solarposition.declination_spencer71(day_of_year)
    equation_of_time = solarposition.equation_of_time_spencer71(day_of_year)
    hour_angle = 15.0 * (utc_hours - 12.0) + longitude + equation_of_time / 4.0  # as pvlib.solarposition.hour_angle
    zenith = np.degrees(
        solarposition.solar_zenith_analytical(np.radians(latitude), np.radians(hour_angle), declination)
    )
    return day_of_year, zenith


# --- random cases ---


def random_instant(rng: random.Random) -> datetime:
    return FIRST + timedelta(microseconds=rng.randrange(YEARS * 365 * 86_400 * 10**6))


def local_solar_hour(rng: random.Random, hour: float, longitude: float) -> datetime:
    """A random day at about `hour` o'clock local solar time at `longitude`."""
    day = FIRST + timedelta(days=rng.randrange(YEARS * 365))
    return day + timedelta(hours=(hour - longitude / 15) % 24)


def clock_change(rng: random.Random) -> datetime:
    """Berlin time within 20 minutes of a change of its clocks (01:00 UTC on the last Sunday of March or October):
    there `t - SLACK` is wall-clock arithmetic, an hour off the instant five minutes earlier."""
    last = date(rng.randrange(2000, 2040), rng.choice([3, 10]), 31)
    change = datetime.combine(last - timedelta(days=(last.weekday() + 1) % 7), time(1), tzinfo=UTC)
    return (change + timedelta(seconds=rng.uniform(-1200, 1200))).astimezone(BERLIN)


def random_interval(rng: random.Random) -> Interval:
    kind = rng.choice(["anywhere", "sunrise or sunset", "polar edge", "clock change"])
    latitude = rng.uniform(-60, 60) if kind != "polar edge" else rng.choice([-1, 1]) * rng.uniform(55, 60)
    longitude = rng.uniform(-180, 180)
    seconds = math.exp(rng.uniform(math.log(60), math.log(86_400)))  # 1 minute … 1 day, log-uniform
    duration = timedelta(microseconds=round(seconds * 10**6))
    if kind == "sunrise or sunset":  # centred on about 6 or 18 h local solar time, so mostly straddling it
        start = local_solar_hour(rng, rng.choice([6, 18]) + rng.uniform(-1.5, 1.5), longitude) - duration / 2
    elif kind == "clock change":
        start = clock_change(rng)
    else:
        start = random_instant(rng)
    capacity = Decimal(rng.randrange(10, 1_000_001)) / 1000  # 0.010 … 1000.000 kW, as stored
    return Interval(latitude, longitude, capacity, start, start + duration)


def test_the_limits_are_pvlibs_bit_for_bit_over_many_random_intervals() -> None:
    rng = random.Random(20261127)
    batches = [[random_interval(rng) for _ in range(size)] for size in [1] * 300 + [2, 5, 17, 100, 1000] * 4]
    nights = partly_dark = wall_clock = 0
    assert clear_sky_limits([], SLACK) == []
    for intervals in batches:
        expected = pvlib_unrounded_limits(intervals, SLACK)
        unrounded = plausibility._unrounded_limits(intervals, SLACK)
        assert unrounded.tolist() == expected.tolist()  # == on every float: the very same bits
        assert clear_sky_limits(intervals, SLACK) == [int(limit) for limit in np.ceil(expected)]
        owner, _, irradiance_wm2 = pvlib_samples(intervals, SLACK)
        dark = np.bincount(owner, weights=irradiance_wm2 == 0, minlength=len(intervals))
        counts = np.bincount(owner, minlength=len(intervals))
        nights += int(np.sum(dark == counts))
        partly_dark += int(np.sum((dark > 0) & (dark < counts)))
        wall_clock += sum(
            (i.start - SLACK).timestamp() != (i.start.astimezone(UTC) - SLACK).timestamp() for i in intervals
        )
    # the cases cover what the lean code treats apart: whole nights, intervals crossing sunrise or sunset, and
    # starts widened on the wall clock
    assert nights > 500
    assert partly_dark > 500
    assert wall_clock > 50


def sun_edge_samples(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Instants and places where pvlib's sun is overhead (latitude = declination, hour angle 0) or on the horizon,
    give or take a few units in the last place: the cosine of the zenith rounds either side of 1 (where arccos
    gives NaN, which pvlib's rule counts as night) and of 0."""
    times = rng.uniform(FIRST.timestamp(), FIRST.timestamp() + YEARS * 365.25 * 86_400, count)
    instants = times.astype("datetime64[s]")
    day_of_year = (instants.astype("datetime64[D]") - instants.astype("datetime64[Y]")).astype(np.int64) + 1
    declination = solarposition.declination_spencer71(day_of_year)
    overhead = np.arange(count) < count // 2
    latitude = np.where(overhead, np.degrees(declination), rng.uniform(-60, 60, count))
    horizon = np.degrees(np.arccos(-np.tan(np.radians(latitude)) * np.tan(declination)))
    hour_angle = np.where(overhead, 0.0, horizon * rng.choice([-1, 1], count)) + rng.integers(-4, 5, count) * 1e-12
    equation_of_time = solarposition.equation_of_time_spencer71(day_of_year)
    longitude = hour_angle - (15.0 * ((times % 86_400) / 3600 - 12.0) + equation_of_time / 4.0)
    return times, latitude, (longitude + 180) % 360 - 180


@pytest.mark.filterwarnings("ignore:invalid value encountered in arccos:RuntimeWarning")  # the overhead sun
def test_the_irradiance_is_pvlibs_bit_for_bit_at_every_sample_even_at_the_horizon_and_with_the_sun_overhead() -> None:
    rng = np.random.default_rng(20261127)
    edges = sun_edge_samples(rng, 50_000)
    count = 100_000
    anywhere = (
        rng.uniform(FIRST.timestamp(), FIRST.timestamp() + YEARS * 365.25 * 86_400, count),
        rng.uniform(-60, 60, count),
        rng.uniform(-180, 180, count),
    )
    times, latitude, longitude = (np.concatenate(pair) for pair in zip(edges, anywhere, strict=True))
    expected = pvlib_irradiance(times, latitude, longitude)
    latitude_rad = np.radians(latitude)
    lean, day = plausibility._clear_sky_irradiance(times, longitude, np.cos(latitude_rad), np.sin(latitude_rad))
    actual = np.zeros(times.size)
    actual[day] = lean
    assert np.flatnonzero(actual != expected).tolist() == []
    # the cases reach the edges: a zenith of NaN, exactly 90° and within 1e-9° either side of it
    _, zenith = pvlib_sun(times, latitude, longitude)
    assert np.sum(np.isnan(zenith)) > 100
    assert np.sum(zenith == 90) > 100
    assert np.sum((zenith > 90 - 1e-9) & (zenith < 90)) > 1000
    assert np.sum((zenith > 90) & (zenith < 90 + 1e-9)) > 1000
