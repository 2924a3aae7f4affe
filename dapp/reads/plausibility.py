"""R-READ-8: the clear-sky check. Energy in an interval cannot exceed what the device's capacity could make
under a clear sky at its location: `capacity × ∫ G_clear dt / 1000 W/m² × (1 + tolerance)`.

`G_clear` is the most irradiance any fixed panel could receive under a very clean sky (rule `clear-sky/1`,
ADR 0032): the Ineichen model of pvlib with a Linke turbidity of 2 at sea level, taken on a plane facing the
sun (direct normal + diffuse) plus ground reflection at albedo 0.25, integrated over the interval widened by
the clock-skew allowance on each side (device clocks drift). At night it is zero: production at night is
impossible. Everything is computed with numpy over the whole batch at once.

The formulas are pvlib's models re-expressed in plain numpy for our fixed parameters (ADR 0038): Spencer's
declination, equation of time and extraterrestrial irradiance, the analytical zenith, Kasten–Young airmass
and Ineichen–Perez at altitude 0. Each keeps pvlib's floating-point operations in pvlib's order; what is left
out cannot change a result (pvlib's type handling, the turbidity and altitude factors that are exact
constants, clamps that never bite while the sun is up, and the night samples, whose irradiance is zero).
tests/reads/test_plausibility.py checks that the limits are bit for bit those of pvlib's functions.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import chain
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

CLEAR_SKY_RULE = "clear-sky/1"
TOLERANCE = 0.20
LINKE_TURBIDITY = 2.0
ALBEDO = 0.25
SAMPLE_SECONDS = 300  # one irradiance sample per 5 minutes (at least 4 per interval)
MIN_SAMPLES = 4

_DAY_SECONDS = 86_400
_DAY_SECONDS_FLOAT = 86_400.0
_HOUR_SECONDS = 3600.0
_SAMPLE_SECONDS = float(SAMPLE_SECONDS)  # numpy takes float operands faster than int ones, same results
_MIN_SAMPLES = float(MIN_SAMPLES)
_GREGORIAN_CYCLE_DAYS = 146_097  # 400 years, after which the days of the year repeat

# Ineichen–Perez at altitude 0 with this turbidity: fh1 = fh2 = 1, cg1 = 0.868, cg2 = 0.0387, b = 0.664 + 0.163,
# so ghi = 0.868·E0·cos z·exp(−0.0387·2·AM) (the ×2 folded exactly: doubling commutes with rounding) and
# bnci = E0·b·exp(−0.09·AM); the "empirical correction" is a constant over cos z.
_GHI_EXPONENT = -0.0387 * (1.0 + (LINKE_TURBIDITY - 1))
_BEAM_EXPONENT = -0.09 * (LINKE_TURBIDITY - 1)  # exact: the factor is 1
_BEAM_FACTOR = 0.664 + 0.163
_BEAM_LIMIT = 1 - (0.1 - 0.2 * np.exp(-LINKE_TURBIDITY)) / (0.1 + 0.882)
_REFLECTED = ALBEDO / 2  # exact: ALBEDO·x/2 and x·(ALBEDO/2) are the same float for a power-of-two divisor
_WIDENED = 1 + TOLERANCE


Floats = NDArray[np.float64]


class Interval(NamedTuple):
    latitude: float
    longitude: float
    capacity_kw: Decimal
    start: datetime
    end: datetime


def _day_of_year_by_day() -> NDArray[np.int16]:
    """Day of the year (1…366) of each day of a 400-year Gregorian cycle counted from 1970-01-01."""
    days = np.arange(_GREGORIAN_CYCLE_DAYS).astype("datetime64[D]")
    day_of_year: NDArray[np.int16] = ((days - days.astype("datetime64[Y]")).astype(np.int64) + 1).astype(np.int16)
    return day_of_year


def _terms_by_day_of_year() -> Floats:
    """pvlib's Spencer (1971) series by day of the year (column 0 unused), one row each: cos and sin of the
    declination, the equation of time in degrees of hour angle, extraterrestrial irradiance E0 and 0.868·E0."""
    angle = (2.0 * np.pi / 365.0) * (np.arange(367) - 1)
    cos1, sin1, cos2, sin2 = np.cos(angle), np.sin(angle), np.cos(2.0 * angle), np.sin(2.0 * angle)
    declination = (
        0.006918
        - 0.399912 * cos1
        + 0.070257 * sin1
        - 0.006758 * cos2
        + 0.000907 * sin2
        - 0.002697 * np.cos(3.0 * angle)
        + 0.00148 * np.sin(3.0 * angle)
    )
    equation_of_time = (1440.0 / 2 / np.pi) * (
        0.0000075 + 0.001868 * cos1 - 0.032077 * sin1 - 0.014615 * cos2 - 0.040849 * sin2
    )
    extraterrestrial = 1366.1 * (1.00011 + 0.034221 * cos1 + 0.00128 * sin1 + 0.000719 * cos2 + 7.7e-05 * sin2)
    return np.array(
        [np.cos(declination), np.sin(declination), equation_of_time / 4.0, extraterrestrial, 0.868 * extraterrestrial]
    )


_DAY_OF_YEAR = _day_of_year_by_day()
_BY_DAY_OF_YEAR = _terms_by_day_of_year()


def clear_sky_limits(intervals: list[Interval], slack: timedelta) -> list[int]:
    """The clear-sky limit in Wh (rounded up) of each interval, in order."""
    if not intervals:
        return []
    limits: list[int] = np.ceil(_unrounded_limits(intervals, slack)).astype(np.int64).tolist()
    return limits


def _unrounded_limits(intervals: list[Interval], slack: timedelta) -> Floats:
    """The limits before rounding up."""
    n = len(intervals)
    # t − slack as the rule has it: in a zone with summer time Python subtracts on the wall clock
    fields = (
        ((start - slack).timestamp(), (end + slack).timestamp(), latitude, longitude, float(capacity_kw))
        for latitude, longitude, capacity_kw, start, end in intervals
    )
    # rows are taken by index, here and below: unpacking an array ends in a costly IndexError
    columns = np.fromiter(chain.from_iterable(fields), float, 5 * n).reshape(n, 5).T
    start, span, latitude, capacity = columns[0], columns[1] - columns[0], np.radians(columns[2]), columns[4]
    counts = np.maximum(np.ceil(span / _SAMPLE_SECONDS), _MIN_SAMPLES).astype(np.intp)
    owner = np.arange(n).repeat(counts)
    # per sample, in one take: start, step, longitude, cos and sin of the latitude, index of the first sample − ½
    first = counts.cumsum() - counts - 0.5
    spread = np.array([start, span / counts, columns[3], np.cos(latitude), np.sin(latitude), first]).take(owner, axis=1)
    step = spread[1]
    times = spread[0] + (np.arange(owner.size) - spread[5]) * step  # midpoints of equal sub-intervals
    irradiance_wm2, day = _clear_sky_irradiance(times, spread[2], spread[3], spread[4])
    # the night samples would add exact zeros to the sums: leaving them out changes no bit
    energy = irradiance_wm2 * step[day] / _HOUR_SECONDS
    watt_hours_per_kw = np.bincount(owner[day], weights=energy, minlength=n)
    limits: Floats = capacity * watt_hours_per_kw * _WIDENED
    return limits


def clear_sky_irradiance(unix_seconds: Floats, latitude: Floats, longitude: Floats) -> Floats:
    """W/m² the model gives at each instant and place (zero at night): the profile the solar-true split follows."""
    radians = np.radians(latitude)
    lit, day = _clear_sky_irradiance(unix_seconds, longitude, np.cos(radians), np.sin(radians))
    irradiance = np.zeros(unix_seconds.size)
    irradiance[day] = lit
    return irradiance


def _clear_sky_irradiance(
    unix_seconds: Floats, longitude: Floats, cos_latitude: Floats, sin_latitude: Floats
) -> tuple[Floats, NDArray[np.intp]]:
    """W/m² on a sun-facing plane under a very clean sky at the samples where the sun is up, with their indices
    (the irradiance of the others is zero)."""
    day_of_year = _DAY_OF_YEAR.take(unix_seconds.astype(np.int64) // _DAY_SECONDS, mode="wrap")
    by_day = _BY_DAY_OF_YEAR.take(day_of_year, axis=1)
    cos_declination, sin_declination, equation_of_time = by_day[0], by_day[1], by_day[2]
    hour_angle = 15.0 * (unix_seconds % _DAY_SECONDS_FLOAT / _HOUR_SECONDS - 12.0) + longitude + equation_of_time
    hour_term = cos_declination * cos_latitude * np.cos(np.radians(hour_angle))
    zenith = np.degrees(np.arccos(hour_term + sin_declination * sin_latitude))
    day = (zenith < 90.0).nonzero()[0]  # a NaN zenith (a cosine rounded above 1) is night, as in pvlib
    if not day.size:
        return zenith[day], day
    zenith = zenith[day]
    by_day = by_day[3:].take(day, axis=1)
    extraterrestrial, ghi_factor = by_day[0], by_day[1]
    cos_zenith = np.cos(np.radians(zenith))  # > 0 while the sun is up: pvlib's clamps change nothing
    airmass = 1.0 / (cos_zenith + 0.50572 * (6.07995 + (90.0 - zenith)) ** -1.6364) * 101325.0 / 101325.0
    ghi = ghi_factor * cos_zenith * np.exp(_GHI_EXPONENT * airmass)
    beam = extraterrestrial * (_BEAM_FACTOR * np.exp(_BEAM_EXPONENT * airmass))
    dni = np.minimum(beam, ghi * (_BEAM_LIMIT / cos_zenith))
    return dni + (ghi - dni * cos_zenith) + _REFLECTED * ghi, day
