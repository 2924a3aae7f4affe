"""The parts of reads crossing a window's boundaries under a reservation's split rule (R-ISS-2, ADR 0100).

The window's statements split such a part by time (`TIME_SPLIT`). Under `split-solar/1`, `solar_parts` then
computes each such part's energy from the device's clear-sky profile and `correct_ranges` moves the difference
into the window's certified range that holds the part, before any cap. Where the profile is flat or the place
unknown the part keeps its split by time. The window's scan itself stays a plain aggregate (ADR 0100 says why);
it marks the memberships whose reads it cut, so only their edges are looked at (ADR 0107).
"""

from typing import Any

import numpy as np
from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from dapp.models.reservations import SplitRule
from dapp.reads.locations import locate
from dapp.reads.splits import Cuts, solar_parts

# NOT MATERIALIZED: a statement may name the memberships twice and still scan the reads in parallel
MEMBERS = """
members AS NOT MATERIALIZED (
    SELECT id, device_id, greatest(active_from, :window_start) AS lo, least(active_until, :window_end) AS hi
    FROM reservation_device
    WHERE reservation_id = :reservation_id AND active_from < :window_end AND active_until > :window_start
)"""

# The accepted reads overlapping each membership m within the window. The window's own bounds are repeated so that
# the partitions of meter_read (by period_end) ending before the window are never scanned. {late} filters further.
MEMBER_READS = """
    FROM members m
    JOIN meter_read r ON r.device_id = m.device_id AND r.status = 'accepted'
                     AND r.period_start < m.hi AND r.period_end > m.lo
                     AND r.period_start < :window_end AND r.period_end > :window_start {late}"""

# the part [max(s, m.lo), min(e, m.hi)) of a read r = [s, e) split by time with cumulative flooring (ADR 0007)
TIME_SPLIT = """(
    div(r.energy_wh * (extract(epoch FROM least(r.period_end, m.hi) - r.period_start) * 1000000),
        extract(epoch FROM r.period_end - r.period_start) * 1000000)
  - div(r.energy_wh * (extract(epoch FROM greatest(r.period_start, m.lo) - r.period_start) * 1000000),
        extract(epoch FROM r.period_end - r.period_start) * 1000000))::bigint"""

# Accepted reads of a device never overlap, so the read holding an edge is the first one ending after it, if it
# starts before it: one index probe per edge (partitions by period_end prune the earlier months). n numbers them.
CUT_TEMPLATE = """
WITH {edges}
SELECT row_number() OVER () AS n, c.* FROM (
    SELECT DISTINCT r.id AS read_id, r.device_id, r.energy_wh, r.period_start AS read_start, r.period_end AS read_end,
           greatest(r.period_start, m.lo) AS part_start, least(r.period_end, m.hi) AS part_end,
           {time_split} AS time_wh, d.latitude, d.longitude, d.country_code
    FROM edges m
    JOIN device d ON d.id = m.device_id
    CROSS JOIN LATERAL (
        SELECT id, device_id, energy_wh, period_start, period_end FROM meter_read r
        WHERE r.device_id = m.device_id AND r.status = 'accepted' AND r.period_end > m.edge
        ORDER BY r.period_end LIMIT 1
    ) r
    WHERE r.period_start < m.edge
) c"""
# certifying a window: the edges the window's scan (`window_member`) found a read crossing
CUT_EDGES = """
edges AS (
    SELECT device_id, lo, hi, lo AS edge FROM window_member WHERE first_start < lo
    UNION ALL
    SELECT device_id, lo, hi, hi FROM window_member WHERE last_end > hi
)"""
# explaining one device's part of a certificate: both edges of each of its memberships in the window
DEVICE_EDGES = """{members},
edges AS (
    SELECT device_id, lo, hi, lo AS edge FROM members WHERE device_id = :device_id
    UNION ALL
    SELECT device_id, lo, hi, hi FROM members WHERE device_id = :device_id
)"""
# the cut parts as one row of arrays (instants in microseconds), what the solar split computes from
ARRAYS_TEMPLATE = """
SELECT array_agg(read_id ORDER BY n) AS read_ids, array_agg(country_code ORDER BY n) AS countries,
       array_agg(latitude::float8 ORDER BY n) AS latitudes, array_agg(longitude::float8 ORDER BY n) AS longitudes,
       array_agg((extract(epoch FROM read_start) * 1000000)::bigint ORDER BY n) AS read_starts,
       array_agg((extract(epoch FROM read_end) * 1000000)::bigint ORDER BY n) AS read_ends,
       array_agg((extract(epoch FROM part_start) * 1000000)::bigint ORDER BY n) AS part_starts,
       array_agg((extract(epoch FROM part_end) * 1000000)::bigint ORDER BY n) AS part_ends,
       array_agg(energy_wh ORDER BY n) AS energies
FROM ({cuts}) c
"""
WINDOW_CUTS = text(
    "CREATE TEMP TABLE window_cut ON COMMIT DROP AS " + CUT_TEMPLATE.format(edges=CUT_EDGES, time_split=TIME_SPLIT)
)
WINDOW_CUT_ARRAYS = text(ARRAYS_TEMPLATE.format(cuts="SELECT * FROM window_cut"))
DEVICE_CUT_ARRAYS = text(
    ARRAYS_TEMPLATE.format(cuts=CUT_TEMPLATE.format(edges=DEVICE_EDGES.format(members=MEMBERS), time_split=TIME_SPLIT))
)

# each cut part's solar energy (NULL: flat profile or unknown place, the split by time stays) moved into the range
# of the window that holds the part (a range may hold two)
CORRECT = text("""
UPDATE window_range w SET energy_wh = w.energy_wh + c.delta, certified_wh = w.certified_wh + c.delta
FROM (
    SELECT r.ctid AS row_id, sum(s.energy_wh - p.time_wh) AS delta
    FROM window_cut p
    JOIN unnest(CAST(:energies AS bigint[])) WITH ORDINALITY AS s(energy_wh, n) ON s.n = p.n
    JOIN window_range r
      ON r.device_id = p.device_id AND r.period_start <= p.part_start AND r.period_end >= p.part_end
    WHERE s.energy_wh <> p.time_wh
    GROUP BY r.ctid
) c
WHERE w.ctid = c.row_id
""")


def correct_ranges(session: Session, params: dict[str, Any], rule: str) -> None:
    """Under `split-solar/1`, give the window's ranges (`window_range`) the solar energy of the parts of reads its
    scan (`window_member`) found crossing the edges of a membership, instead of their split by time."""
    if rule != SplitRule.SOLAR:
        return
    session.execute(WINDOW_CUTS, params)
    _, energies = _solar_energies(session, WINDOW_CUT_ARRAYS, params)
    if any(e is not None for e in energies):
        session.execute(CORRECT, {"energies": energies})


def device_solar_parts(session: Session, params: dict[str, Any], rule: str) -> dict[int, int]:
    """The solar energy of each cut part of the device's reads in the window of `params` (reservation_id,
    window_start, window_end, device_id), by read id; none under the split by time."""
    if rule != SplitRule.SOLAR:
        return {}
    read_ids, energies = _solar_energies(session, DEVICE_CUT_ARRAYS, params)
    return {read: energy for read, energy in zip(read_ids, energies, strict=True) if energy is not None}


def _solar_energies(
    session: Session, statement: TextClause, params: dict[str, Any]
) -> tuple[list[int], list[int | None]]:
    """The read ids of the cut parts `statement` gives, and each part's energy under `split-solar/1` (None where the
    split by time stays: a flat profile or an unknown place)."""
    row = session.execute(statement, params).one()
    if not row.read_ids:
        return [], []
    where = list(zip(row.latitudes, row.longitudes, row.countries, strict=True))
    located_once = {key: locate(*key) for key in set(where)}  # one place per device, usually a few per window
    places = [located_once[key] for key in where]
    known = [i for i, place in enumerate(places) if place is not None]
    located = [place for place in places if place is not None]
    read_start, read_end, part_start, part_end = (np.array(v, dtype=np.int64)[known] for v in row[4:8])
    cuts = Cuts(
        np.array([place.latitude for place in located], dtype=np.float64),
        np.array([place.longitude for place in located], dtype=np.float64),
        read_start,
        read_end,
        part_start,
        part_end,
        [row.energies[i] for i in known],
    )
    energies: list[int | None] = [None] * len(row.read_ids)
    for i, energy in zip(known, solar_parts(cuts), strict=True):
        energies[i] = energy
    return row.read_ids, energies


def rule_of(rule_versions: list[str]) -> SplitRule:
    """The split rule a certificate was issued under: the one it records, else the split by time (ADR 0100)."""
    return next((SplitRule(v) for v in rule_versions if v in {r.value for r in SplitRule}), SplitRule.TIME)
