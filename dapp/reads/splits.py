"""Sharing a read that crosses a window or membership boundary among its parts (R-ISS-2, ADR 0100).

Both rules give the part [a, b) of a read [s, e) of E Wh `⌊E·W(s, b)/W(s, e)⌋ − ⌊E·W(s, a)/W(s, e)⌋`, so the parts
of a read add up to exactly E in whatever order its windows are certified (ADR 0007). They differ in the weight W:

- `split-time/1`: W is time (`dapp.reads.energy.part_wh`; in SQL `issuance/service/splitting.TIME_SPLIT`).
- `split-solar/1`: W is the device's clear-sky irradiation, the model of the plausibility rule (R-READ-8) at the
  device's place (its coordinates, else its country's centroid). The irradiance is taken once per 5-minute slot of
  a fixed grid (at the slot's middle, rounded to whole W/m²) and is constant within a slot, so W is an exact
  integer (W/m² × µs) that depends only on the read and the instant, never on which window asks. Where W(s, e) is
  zero (a read wholly at night) or the place is unknown, the split by time applies.

The weights of every part a window cuts are computed together, in numpy over all their reads' slots (ADR 0107);
only the last step, whose products outgrow 64 bits, is in Python integers.
"""

from datetime import UTC, datetime
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from dapp.reads.plausibility import clear_sky_irradiance

SLOT_SECONDS = 300
_SLOT_US = SLOT_SECONDS * 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Integers = NDArray[np.int64]
Floats = NDArray[np.float64]


class Cuts(NamedTuple):
    """Parts [part_start, part_end) of reads [read_start, read_end) of `energy_wh` made at (latitude, longitude):
    one entry per part in each array, instants in microseconds since the epoch."""

    latitude: Floats
    longitude: Floats
    read_start: Integers
    read_end: Integers
    part_start: Integers
    part_end: Integers
    energy_wh: list[int]


class _Slots:
    """The irradiance of every 5-minute slot the reads [starts, ends) touch, one read after the other."""

    def __init__(self, latitude: Floats, longitude: Floats, starts: Integers, ends: Integers) -> None:
        self.first = starts // _SLOT_US
        counts = -(-ends // _SLOT_US) - self.first
        self.offset = np.concatenate(([0], counts.cumsum()[:-1])).astype(np.int64)  # each read's first slot
        self.counts = counts
        slots = np.arange(counts.sum(), dtype=np.int64) - self.offset.repeat(counts) + self.first.repeat(counts)
        middles = (slots * SLOT_SECONDS + SLOT_SECONDS // 2).astype(np.float64)
        irradiance = clear_sky_irradiance(middles, latitude.repeat(counts), longitude.repeat(counts))
        self.irradiance = np.rint(irradiance).astype(np.int64)
        self.before = np.concatenate(([0], self.irradiance.cumsum())).astype(np.int64)  # whole slots before each

    def weight(self, instants: Integers) -> Integers:
        """The weight of each read's slots from the start of its first slot to its instant (within the read)."""
        index = instants // _SLOT_US - self.first  # the instant's slot, counted from the read's first one
        at = self.offset + index
        whole = self.before[at] - self.before[self.offset]
        within = index < self.counts  # else the instant is the end of the read's last slot
        partial = np.where(within, self.irradiance[np.minimum(at, self.irradiance.size - 1)], 0)
        weights: Integers = whole * _SLOT_US + partial * (instants % _SLOT_US)
        return weights


def solar_parts(cuts: Cuts) -> list[int | None]:
    """The Wh of each part under `split-solar/1`; None where its read's profile is flat (zero over the whole
    read): the split by time applies there."""
    if not cuts.energy_wh:
        return []
    slots = _Slots(cuts.latitude, cuts.longitude, cuts.read_start, cuts.read_end)
    origin = slots.weight(cuts.read_start)
    totals = (slots.weight(cuts.read_end) - origin).tolist()
    upto_a = (slots.weight(cuts.part_start) - origin).tolist()
    upto_b = (slots.weight(cuts.part_end) - origin).tolist()
    return [
        None if total == 0 else energy * b // total - energy * a // total
        for energy, total, a, b in zip(cuts.energy_wh, totals, upto_a, upto_b, strict=True)
    ]
