"""Certification of one issuance window of one reservation (R-ISS-2 … R-ISS-5).

The window's energy is computed in PostgreSQL, per membership of a device, in one pass over the reads (ADR 0107):

- a read that straddles a window or membership boundary is split under the reservation's split rule with
  cumulative flooring: part = ⌊E·W(s, b)/W(s, e)⌋ − ⌊E·W(s, a)/W(s, e)⌋ for the part [a, b) of a read [s, e),
  W being time (here, in SQL) or the device's clear-sky irradiation (`reads/splits.py`; `splitting.py` corrects
  the ranges afterwards), so the parts of a read always add up to exactly E (ADRs 0007, 0100);
- each device's certified time is recorded as ranges (`certified_energy`) whose exclusion constraint makes
  certifying any instant of a device twice impossible (R-ISS-5). Contiguous reads give one range per membership;
  memberships with gaps get one range per island of contiguous reads;
- without authority to exceed, the certificate that reaches the target is capped: ranges are taken in time
  order and the excess of the last one is kept as `excess_wh`, visible, never certified (R-ISS-4, R-RES-6).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import TextClause, func, select, text
from sqlalchemy.orm import Session

from dapp.audit import service as audit
from dapp.chain import outbox
from dapp.issuance import merkle
from dapp.issuance.service import notices
from dapp.issuance.service.splitting import (
    MEMBER_READS,
    MEMBERS,
    TIME_SPLIT,
    correct_ranges,
    device_solar_parts,
    rule_of,
)
from dapp.keccak import keccak256
from dapp.models.chain import OutboxKind
from dapp.models.issuance import Certificate
from dapp.models.reservations import Reservation
from dapp.platform import enqueue_after_commit
from dapp.reads.rules import MAX_ENERGY_RULE
from dapp.reservations.service.irec import IREC

# The parts of accepted reads that fall in the window and in the device's membership, with their energy.
# {late} is empty on time; for late rounds it keeps only parts no certified range of the device covers yet.
# `r.period_end > :window_start` follows from `r.period_end > m.lo` but, unlike it, is known when the statement is
# planned: the partitions of the months before the window are left out, so the work does not grow with the
# history stored (a join's bound alone scanned every month's partition; issue 21).
PARTS_TEMPLATE = """
{members}, parts AS (
    SELECT m.id AS member_id, r.device_id, r.id AS read_id, r.period_start AS read_start,
           r.period_end AS read_end, r.energy_wh AS read_wh,
           greatest(r.period_start, m.lo) AS part_start,
           least(r.period_end, m.hi) AS part_end,
           {part_wh} AS energy_wh
    {member_reads}
)"""
# a part's energy: the whole read inside the membership, else its split by time
PART_WH = "CASE WHEN r.period_start >= m.lo AND r.period_end <= m.hi THEN r.energy_wh ELSE {time_split} END"
LATE_FILTER = """
    WHERE NOT EXISTS (
        SELECT 1 FROM certified_energy c
        WHERE c.device_id = r.device_id
          AND tstzrange(c.period_start, c.period_end) && tstzrange(greatest(r.period_start, m.lo),
                                                                  least(r.period_end, m.hi))
    )"""

# One row per membership with reads in the window: its certified span, energy, whether its parts leave no gap and
# where its reads start and end. The scan aggregates the reads themselves (their own bounds, not their parts'),
# which costs a third less than clamping every read first: within one membership reads never overlap, so only
# the first and the last can cross its edges, and the parts are contiguous exactly when the reads are.
MEMBER_TOTALS = """
CREATE TEMP TABLE window_member ON COMMIT DROP AS
WITH {members}
SELECT t.member_id, m.device_id, d.country_code, m.lo, m.hi, t.first_start, t.last_end,
       greatest(t.first_start, m.lo) AS period_start, least(t.last_end, m.hi) AS period_end, t.energy_wh,
       t.read_time = t.last_end - t.first_start AS is_contiguous
FROM (
    SELECT m.id AS member_id, min(r.period_start) AS first_start, max(r.period_end) AS last_end,
           sum({part_wh})::bigint AS energy_wh, sum(r.period_end - r.period_start) AS read_time
    {member_reads}
    GROUP BY m.id
) t
JOIN members m ON m.id = t.member_id
JOIN device d ON d.id = m.device_id
"""

RANGES = """
CREATE TEMP TABLE window_range ON COMMIT DROP AS
SELECT device_id, country_code, period_start, period_end, energy_wh, energy_wh AS certified_wh
FROM window_member WHERE is_contiguous
UNION ALL
SELECT w.device_id, w.country_code, i.period_start, i.period_end, i.energy_wh, i.energy_wh
FROM (
    WITH {parts}, marked AS (
        SELECT p.*, CASE WHEN part_start = lag(part_end) OVER (PARTITION BY member_id ORDER BY part_start)
                         THEN 0 ELSE 1 END AS is_new
        FROM parts p WHERE member_id IN (SELECT member_id FROM window_member WHERE NOT is_contiguous)
    ), numbered AS (
        SELECT *, sum(is_new) OVER (PARTITION BY member_id ORDER BY part_start) AS island FROM marked
    )
    SELECT member_id, min(part_start) AS period_start, max(part_end) AS period_end, sum(energy_wh)::bigint AS energy_wh
    FROM numbered GROUP BY member_id, island
) i
JOIN window_member w ON w.member_id = i.member_id
"""

CAP = text("""
WITH ordered AS (
    SELECT ctid AS row_id, energy_wh,
           sum(energy_wh) OVER (ORDER BY country_code, period_start, device_id) - energy_wh AS before
    FROM window_range
)
UPDATE window_range w SET certified_wh = greatest(0, least(o.energy_wh, :remaining - o.before))
FROM ordered o WHERE w.ctid = o.row_id
""")

COUNTRY_TOTALS = text("""
SELECT country_code, sum(certified_wh)::bigint AS volume_wh, min(period_start) AS generation_start,
       max(period_end) AS generation_end
FROM window_range WHERE certified_wh > 0 GROUP BY country_code ORDER BY country_code
""")

CONTRIBUTIONS = text("""
SELECT device_id, min(period_start) AS period_start, max(period_end) AS period_end,
       sum(certified_wh)::bigint AS energy_wh
FROM window_range WHERE country_code = :country AND certified_wh > 0
GROUP BY device_id ORDER BY device_id
""")

INSERT_CONTRIBUTIONS = text("""
INSERT INTO certificate_contribution (certificate_id, device_id, period_start, period_end, energy_wh)
SELECT :certificate_id, device_id, min(period_start), max(period_end), sum(certified_wh)
FROM window_range WHERE country_code = :country AND certified_wh > 0 GROUP BY device_id
""")

INSERT_CERTIFIED = text("""
INSERT INTO certified_energy (certificate_id, device_id, period_start, period_end, energy_wh, excess_wh)
SELECT :certificate_id, device_id, period_start, period_end, certified_wh, energy_wh - certified_wh
FROM window_range WHERE country_code = :country AND certified_wh > 0
""")


# Before the window's reads are read: the members' read states locked (in device-id order, as ingestion locks
# them) and their certified time moved on. A batch of reads holding a state lock is committed before this
# certification reads, so its reads are certified now; one that waits for the lock sees the new
# `certified_until` and notes its energy as late (R-READ-9, ADR 0124).
ADVANCE_CERTIFIED_UNTIL = text("""
WITH members AS MATERIALIZED (
    SELECT s.device_id, least(rd.active_until, :window_end) AS until
    FROM reservation_device rd JOIN device_read_state s ON s.device_id = rd.device_id
    WHERE rd.reservation_id = :reservation_id AND rd.active_from < :window_end AND rd.active_until > :window_start
    ORDER BY s.device_id
    FOR UPDATE OF s
)
UPDATE device_read_state s SET certified_until = greatest(s.certified_until, m.until)
FROM members m
WHERE s.device_id = m.device_id AND s.certified_until IS DISTINCT FROM greatest(s.certified_until, m.until)
""")

DEVICE_PARTS = """
WITH {parts}
SELECT read_id, read_start, read_end, read_wh, part_start, part_end, energy_wh
FROM parts WHERE device_id = :device_id ORDER BY part_start
"""


@dataclass(frozen=True)
class Statements:
    """The window queries, for on-time certification or for a late round (constant SQL, no input in it)."""

    member_totals: TextClause
    ranges: TextClause
    device_parts: TextClause

    @classmethod
    def build(cls, late: str) -> "Statements":
        pieces = {"members": MEMBERS, "part_wh": PART_WH.format(time_split=TIME_SPLIT)}
        pieces["member_reads"] = MEMBER_READS.format(late=late)
        parts = PARTS_TEMPLATE.format(**pieces)
        return cls(
            text(MEMBER_TOTALS.format(**pieces)),
            text(RANGES.format(parts=parts)),
            text(DEVICE_PARTS.format(parts=parts)),
        )


ON_TIME = Statements.build(late="")
LATE = Statements.build(late=LATE_FILTER)


@dataclass(frozen=True)
class Window:
    reservation: Reservation
    start: datetime
    end: datetime
    issuance_round: int = 0

    @property
    def statements(self) -> Statements:
        return ON_TIME if self.issuance_round == 0 else LATE


def certify_window(
    session: Session, reservation_id: uuid.UUID, window_start: datetime, window_end: datetime, now: datetime
) -> list[Certificate]:
    """Certify the reservation's energy in the window; nothing happens for a window already done."""
    reservation = session.scalars(select(Reservation).where(Reservation.id == reservation_id).with_for_update()).one()
    if reservation.issued_until >= window_end or _ended_before(reservation, window_start):
        return []
    parameters = {"reservation_id": reservation_id, "window_start": window_start, "window_end": window_end}
    session.execute(ADVANCE_CERTIFIED_UNTIL, parameters)
    certificates = _certify(session, Window(reservation, window_start, window_end), now)
    reservation.issued_until = window_end
    return certificates


def certify_late(
    session: Session, reservation_id: uuid.UUID, window_start: datetime, window_end: datetime, now: datetime
) -> list[Certificate]:
    """Certify energy that arrived after the window was certified, as a certificate of the next round (R-READ-9)."""
    reservation = session.scalars(select(Reservation).where(Reservation.id == reservation_id).with_for_update()).one()
    if reservation.issued_until < window_end:
        return []  # the window is not certified yet: its on-time run will take this energy
    last_round: int = session.execute(
        select(func.coalesce(func.max(Certificate.issuance_round), 0)).where(
            Certificate.reservation_id == reservation.id, Certificate.window_start == window_start
        )
    ).scalar_one()
    return _certify(session, Window(reservation, window_start, window_end, last_round + 1), now)


def _certify(session: Session, window: Window, now: datetime) -> list[Certificate]:
    _compute_ranges(session, window)
    target_reached = _apply_target(session, window.reservation)
    certificates = [_certificate(session, window, row, now) for row in session.execute(COUNTRY_TOTALS)]
    notices.window_certified(session, window.reservation, certificates, now)
    for certificate in certificates:
        _audit_issuance(session, certificate, target_reached, now)
    if target_reached:
        window.reservation.ended_at = max(window.end, window.reservation.ended_at or window.end)
    return certificates


def _audit_issuance(session: Session, certificate: Certificate, target_reached: bool, now: datetime) -> None:
    """The issuance in the buyer's audit log (R-ACC-11): done by the platform itself, so no person or key acts."""
    audit.record(
        session,
        None,
        "certificate.issue",
        "certificate",
        certificate.id,
        after={
            "reservation_id": certificate.reservation_id,
            "window_start": certificate.window_start,
            "window_end": certificate.window_end,
            "issuance_round": certificate.issuance_round,
            "country_code": certificate.country_code,
            "volume_wh": certificate.volume_wh,
            "token_id": certificate.token_id,
            "owner_address": certificate.owner_address,
            "target_reached": target_reached,
        },
        now=now,
        organization_id=certificate.beneficiary_organization_id,
    )


def device_parts(session: Session, certificate: Certificate, device_id: uuid.UUID) -> list[dict[str, Any]]:
    """The parts of one device's reads that `certificate`'s window took, exactly as certification split them."""
    params = {
        "reservation_id": certificate.reservation_id,
        "window_start": certificate.window_start,
        "window_end": certificate.window_end,
        "device_id": device_id,
    }
    solar = device_solar_parts(session, params, rule_of(certificate.rule_versions))
    rows = session.execute(ON_TIME.device_parts, params).mappings()
    return [{**row, "energy_wh": solar.get(row["read_id"], row["energy_wh"])} for row in rows]


def _ended_before(reservation: Reservation, instant: datetime) -> bool:
    return reservation.ended_at is not None and reservation.ended_at <= instant


def _compute_ranges(session: Session, window: Window) -> None:
    params = {"reservation_id": window.reservation.id, "window_start": window.start, "window_end": window.end}
    session.execute(text("DROP TABLE IF EXISTS window_range, window_member, window_cut"))
    session.execute(text("SET LOCAL jit = off"))  # compiling these short aggregates costs more than it saves
    session.execute(window.statements.member_totals, params)
    session.execute(window.statements.ranges, params)
    correct_ranges(session, params, window.reservation.split_rule)


def _apply_target(session: Session, reservation: Reservation) -> bool:
    """Cap the window at what remains of the target (without authority to exceed); True if reached."""
    if reservation.authority_to_exceed or reservation.target_wh is None:
        return False
    issued: int = session.execute(
        select(func.coalesce(func.sum(Certificate.volume_wh), 0)).where(Certificate.reservation_id == reservation.id)
    ).scalar_one()
    remaining = reservation.target_wh - issued
    available = session.scalar(text("SELECT coalesce(sum(energy_wh), 0) FROM window_range"))
    if available < remaining or available == 0:
        return False
    session.execute(CAP, {"remaining": remaining})
    return True


def certificate_key(
    reservation_id: uuid.UUID, window_start: datetime, country_code: str, issuance_round: int = 0
) -> bytes:
    """The key the contract refuses to mint twice: one per (reservation, window, country, issuance round)."""
    late = issuance_round.to_bytes(2, "big") if issuance_round else b""
    return keccak256(
        b"drec-certificate"
        + reservation_id.bytes
        + int(window_start.timestamp()).to_bytes(8, "big")
        + country_code.encode()
        + late
    )


def _certificate(session: Session, window: Window, totals: Any, now: datetime) -> Certificate:
    reservation, country = window.reservation, totals.country_code
    key = certificate_key(reservation.id, window.start, country, window.issuance_round)
    contributions = session.execute(CONTRIBUTIONS, {"country": country}).all()
    leaves = [merkle.leaf(c.device_id, c.period_start, c.period_end, c.energy_wh) for c in contributions]
    certificate = Certificate(
        reservation_id=reservation.id,
        beneficiary_organization_id=reservation.buyer_organization_id,
        window_start=window.start,
        window_end=window.end,
        issuance_round=window.issuance_round,
        country_code=country,
        volume_wh=totals.volume_wh,
        generation_start=totals.generation_start,
        generation_end=totals.generation_end,
        owner_address=reservation.wallet_address,
        certificate_key="0x" + key.hex(),
        token_id=str(int.from_bytes(key, "big")),
        rule_versions=[MAX_ENERGY_RULE, reservation.split_rule],
        contributions_root="0x" + merkle.root(leaves).hex(),
        created_at=now,
    )
    session.add(certificate)
    session.flush()
    params = {"certificate_id": certificate.id, "country": country}
    session.execute(INSERT_CONTRIBUTIONS, params)
    session.execute(INSERT_CERTIFIED, params)
    kind = OutboxKind.MINT_PROVISIONAL if reservation.standard == IREC else OutboxKind.MINT_CERTIFICATE
    outbox.enqueue(session, kind, str(certificate.id), now)
    enqueue_after_commit(session, "chain.submit_outbox")  # minted within seconds, not at the next tick
    return certificate
