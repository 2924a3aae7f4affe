"""Sharing a read that crosses a window or membership boundary among its parts (R-ISS-2, ADR 0100).

Both rules give the part [a, b) of a read [s, e) of E Wh `⌊E·W(s, b)/W(s, e)⌋ − ⌊E·W(s, a)/W(s, e)⌋`, so the parts
of a read add up to exactly E in whatever order its windows are certified (ADR 0007). They differ in the weight W:

- `split-time/1`: W is time, computed in SQL (`service/splitting.TIME_SPLIT`).
- `split-solar/1`: W is the device's clear-sky irradiation, the model of the plausibility rule (R-READ-8) at the
  device's place (its coordinates, else its country's centroid). The irradiance is taken once per 5-minute slot of
  a fixed grid (at the slot's middle, rounded to whole W/m²) and is constant within a slot, so W is an exact
  integer (W/m² × µs) that depends only on the read and the instant, never on which window asks. Where W(s, e) is
  zero (a read wholly at night) or the place is unknown, the split by time applies.
"""

from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from dapp.reads.locations import Location
from dapp.reads.plausibility import clear_sky_irradiance

SLOT_SECONDS = 300
_SLOT_US = SLOT_SECONDS * 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _microseconds(instant: datetime) -> int:
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class Profile:
    """The clear-sky weight of a read's interval [s, e), cumulative from s, from the irradiance of its slots."""

    def __init__(self, start: datetime, end: datetime, irradiance: NDArray[np.int64]) -> None:
        self._first_slot = _microseconds(start) // _SLOT_US
        self._irradiance = irradiance
        self._before = np.concatenate(([0], np.cumsum(irradiance)))  # whole slots before each slot
        self._origin = self._weight_from_grid(_microseconds(start))
        self.total = self.weight(end)

    def _weight_from_grid(self, us: int) -> int:
        index = us // _SLOT_US - self._first_slot
        partial = int(self._irradiance[index]) * (us % _SLOT_US) if index < self._irradiance.size else 0
        return int(self._before[index]) * _SLOT_US + partial

    def weight(self, instant: datetime) -> int:
        """W(s, instant): the weight from the read's start to `instant`."""
        return self._weight_from_grid(_microseconds(instant)) - self._origin


def _slots(start: datetime, end: datetime) -> tuple[int, int]:
    return _microseconds(start) // _SLOT_US, -(-_microseconds(end) // _SLOT_US)


def profiles(reads: list[tuple[Location, datetime, datetime]]) -> list[Profile]:
    """The profile of each read (place, start, end), the irradiance of all their slots computed at once."""
    spans = [_slots(start, end) for _, start, end in reads]
    counts = np.array([last - first for first, last in spans], dtype=np.intp)
    slots = np.concatenate([np.arange(first, last, dtype=np.int64) for first, last in spans] or [np.zeros(0, np.int64)])
    owner = np.arange(len(reads)).repeat(counts)
    places = np.array([(place.latitude, place.longitude) for place, _, _ in reads], dtype=np.float64).reshape(-1, 2)
    middles = (slots * SLOT_SECONDS + SLOT_SECONDS // 2).astype(np.float64)
    irradiance = np.rint(clear_sky_irradiance(middles, places[owner, 0], places[owner, 1])).astype(np.int64)
    bounds = np.concatenate(([0], counts.cumsum()))
    return [Profile(start, end, irradiance[bounds[i] : bounds[i + 1]]) for i, (_, start, end) in enumerate(reads)]


def solar_part(energy_wh: int, profile: Profile, part_start: datetime, part_end: datetime) -> int | None:
    """The Wh of [part_start, part_end) of a read of `energy_wh` under `split-solar/1`; None where the profile is
    flat (zero over the whole read): the split by time applies there."""
    total = profile.total
    if total == 0:
        return None
    return energy_wh * profile.weight(part_end) // total - energy_wh * profile.weight(part_start) // total
