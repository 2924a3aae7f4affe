"""R-READ-8: the clear-sky check. Energy in an interval cannot exceed what the device's capacity could make
under a clear sky at its location: `capacity × ∫ G_clear dt / 1000 W/m² × (1 + tolerance)`.

`G_clear` is the most irradiance any fixed panel could receive under a very clean sky (rule `clear-sky/1`,
ADR 0032): the Ineichen model of pvlib with a Linke turbidity of 2 at sea level, taken on a plane facing the
sun (direct normal + diffuse) plus ground reflection at albedo 0.25, integrated over the interval widened by
the clock-skew allowance on each side (device clocks drift). At night it is zero: production at night is
impossible. Everything is computed with numpy over the whole batch at once.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

import numpy as np
from pvlib import atmosphere, clearsky, irradiance, solarposition

CLEAR_SKY_RULE = "clear-sky/1"
TOLERANCE = 0.20
LINKE_TURBIDITY = 2.0
ALBEDO = 0.25
SAMPLE_SECONDS = 300  # one irradiance sample per 5 minutes (at least 4 per interval)
MIN_SAMPLES = 4


class Interval(NamedTuple):
    latitude: float
    longitude: float
    capacity_kw: Decimal
    start: datetime
    end: datetime


def clear_sky_limits(intervals: list[Interval], slack: timedelta) -> list[int]:
    """The clear-sky limit in Wh (rounded up) of each interval, in order."""
    if not intervals:
        return []
    starts = np.array([(i.start - slack).timestamp() for i in intervals])
    ends = np.array([(i.end + slack).timestamp() for i in intervals])
    counts = np.maximum(MIN_SAMPLES, np.ceil((ends - starts) / SAMPLE_SECONDS)).astype(np.int64)
    owner = np.repeat(np.arange(len(intervals)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    step = (ends - starts) / counts
    times = starts[owner] + (offsets + 0.5) * step[owner]  # midpoints of equal sub-intervals
    latitude = np.array([i.latitude for i in intervals])[owner]
    longitude = np.array([i.longitude for i in intervals])[owner]
    irradiance_wm2 = _clear_sky_irradiance(times, latitude, longitude)
    watt_hours_per_kw = np.bincount(owner, weights=irradiance_wm2 * step[owner] / 3600, minlength=len(intervals))
    capacity = np.array([float(i.capacity_kw) for i in intervals])
    limits = np.ceil(capacity * watt_hours_per_kw * (1 + TOLERANCE))
    return [int(limit) for limit in limits]


def _clear_sky_irradiance(unix_seconds: np.ndarray, latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    """W/m² on a sun-facing plane under a very clean sky, 0 when the sun is down."""
    instants = unix_seconds.astype("datetime64[s]")
    day_of_year = (instants.astype("datetime64[D]") - instants.astype("datetime64[Y]")).astype(np.int64) + 1
    utc_hours = (unix_seconds % 86_400) / 3600
    declination = solarposition.declination_spencer71(day_of_year)
    equation_of_time = solarposition.equation_of_time_spencer71(day_of_year)
    hour_angle = 15.0 * (utc_hours - 12.0) + longitude + equation_of_time / 4.0  # as pvlib.solarposition.hour_angle
    zenith = np.degrees(
        solarposition.solar_zenith_analytical(np.radians(latitude), np.radians(hour_angle), declination)
    )
    with np.errstate(divide="ignore", invalid="ignore"):  # the sun below the horizon gives inf/NaN, zeroed below
        airmass = atmosphere.get_absolute_airmass(atmosphere.get_relative_airmass(zenith))
        sky = clearsky.ineichen(
            zenith, airmass, LINKE_TURBIDITY, altitude=0, dni_extra=irradiance.get_extra_radiation(day_of_year)
        )
    plane = sky["dni"] + sky["dhi"] + ALBEDO * sky["ghi"] / 2
    return np.where(zenith < 90, np.nan_to_num(plane), 0.0)
