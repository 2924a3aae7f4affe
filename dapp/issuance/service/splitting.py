"""The parts of reads crossing a window's boundaries under a reservation's split rule (R-ISS-2, ADR 0100).

The window's statements split such a part by time (`TIME_SPLIT`). Under `split-solar/1`, `solar_parts` then
computes each such part's energy from the device's clear-sky profile and `correct_ranges` moves the difference
into the window's certified range that holds the part, before any cap. Where the profile is flat or the place
unknown the part keeps its split by time. The window's scan itself stays a plain aggregate (ADR 0100 says why).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from dapp.issuance.splits import profiles, solar_part
from dapp.models.reservations import SplitRule
from dapp.reads.locations import Location, locate

MEMBERS = """
members AS (
    SELECT device_id, greatest(active_from, :window_start) AS lo, least(active_until, :window_end) AS hi
    FROM reservation_device
    WHERE reservation_id = :reservation_id AND active_from < :window_end AND active_until > :window_start
)"""

# the part [max(s, m.lo), min(e, m.hi)) of a read r = [s, e) split by time with cumulative flooring (ADR 0007)
TIME_SPLIT = """(
    div(r.energy_wh * (extract(epoch FROM least(r.period_end, m.hi) - r.period_start) * 1000000),
        extract(epoch FROM r.period_end - r.period_start) * 1000000)
  - div(r.energy_wh * (extract(epoch FROM greatest(r.period_start, m.lo) - r.period_start) * 1000000),
        extract(epoch FROM r.period_end - r.period_start) * 1000000))"""

# Accepted reads of a device never overlap, so the read holding an edge is the first one ending after it, if it
# starts before it: one index probe per edge (partitions by period_end prune the earlier months).
STRADDLING_TEMPLATE = """
WITH {members}, edges AS (
    SELECT device_id, lo, hi, lo AS edge FROM members UNION ALL SELECT device_id, lo, hi, hi FROM members
)
SELECT DISTINCT r.id AS read_id, r.device_id, r.energy_wh, r.period_start, r.period_end,
       greatest(r.period_start, m.lo) AS part_start, least(r.period_end, m.hi) AS part_end,
       {time_split}::bigint AS time_wh, d.latitude, d.longitude, d.country_code
FROM edges m
JOIN device d ON d.id = m.device_id
CROSS JOIN LATERAL (
    SELECT id, device_id, energy_wh, period_start, period_end FROM meter_read r
    WHERE r.device_id = m.device_id AND r.status = 'accepted' AND r.period_end > m.edge
    ORDER BY r.period_end LIMIT 1
) r
WHERE r.period_start < m.edge
"""
STRADDLING = text(STRADDLING_TEMPLATE.format(members=MEMBERS, time_split=TIME_SPLIT))

# every correction moved into the range of the window that holds its part (a range may hold two)
CORRECT = text("""
UPDATE window_range w SET energy_wh = w.energy_wh + c.delta, certified_wh = w.certified_wh + c.delta
FROM (
    SELECT r.ctid AS row_id, sum(p.delta) AS delta
    FROM window_range r
    JOIN unnest(CAST(:device_ids AS uuid[]), CAST(:starts AS timestamptz[]), CAST(:ends AS timestamptz[]),
                CAST(:deltas AS bigint[])) AS p(device_id, part_start, part_end, delta)
      ON r.device_id = p.device_id AND r.period_start <= p.part_start AND r.period_end >= p.part_end
    GROUP BY r.ctid
) c
WHERE w.ctid = c.row_id
""")


@dataclass(frozen=True)
class SolarPart:
    read_id: int
    device_id: uuid.UUID
    part_start: datetime
    part_end: datetime
    energy_wh: int
    time_wh: int  # what the split by time gave it


def solar_parts(session: Session, params: dict[str, Any], rule: str) -> list[SolarPart]:
    """The parts of reads crossing the edges of the window in `params` (reservation_id, window_start, window_end)
    whose energy `rule` sets from the clear-sky profile; none under the split by time."""
    if rule != SplitRule.SOLAR:
        return []
    places: dict[uuid.UUID, Location | None] = {}
    located = []
    for row in session.execute(STRADDLING, params).all():
        if row.device_id not in places:
            places[row.device_id] = locate(row.latitude, row.longitude, row.country_code)
        if (place := places[row.device_id]) is not None:
            located.append((row, place))
    shapes = profiles([(place, row.period_start, row.period_end) for row, place in located])
    parts = []
    for (row, _), profile in zip(located, shapes, strict=True):
        energy = solar_part(row.energy_wh, profile, row.part_start, row.part_end)
        if energy is not None:
            parts.append(SolarPart(row.read_id, row.device_id, row.part_start, row.part_end, energy, int(row.time_wh)))
    return parts


def correct_ranges(session: Session, parts: list[SolarPart]) -> None:
    """Give the window's ranges (`window_range`) the solar energy of `parts` instead of their split by time."""
    moved = [p for p in parts if p.energy_wh != p.time_wh]
    if not moved:
        return
    session.execute(
        CORRECT,
        {
            "device_ids": [p.device_id for p in moved],
            "starts": [p.part_start for p in moved],
            "ends": [p.part_end for p in moved],
            "deltas": [p.energy_wh - p.time_wh for p in moved],
        },
    )


def rule_of(rule_versions: list[str]) -> SplitRule:
    """The split rule a certificate was issued under: the one it records, else the split by time (ADR 0100)."""
    return next((SplitRule(v) for v in rule_versions if v in {r.value for r in SplitRule}), SplitRule.TIME)
