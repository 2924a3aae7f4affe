"""Certification of one issuance window of one reservation (R-ISS-2, R-ISS-3, R-ISS-5).

Energy of a read that straddles a window or membership boundary is split pro rata by time with cumulative
flooring: part = ⌊E·(b−s)/(e−s)⌋ − ⌊E·(a−s)/(e−s)⌋ for the part [a, b) of a read [s, e), so the parts of a read
always add up to exactly E — no Wh is lost or created by splitting.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from eth_utils import keccak
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from dapp.chain import outbox
from dapp.chain.models import OutboxKind
from dapp.issuance import merkle
from dapp.issuance.models import Certificate, CertificateContribution, CertifiedEnergy
from dapp.reads.rules import MAX_ENERGY_RULE
from dapp.reservations.models import Reservation

UNCERTIFIED_PARTS = text("""
WITH members AS (
    SELECT device_id, greatest(active_from, :window_start) AS lo, least(active_until, :window_end) AS hi
    FROM reservation_device
    WHERE reservation_id = :reservation_id AND active_from < :window_end AND active_until > :window_start
), parts AS (
    SELECT r.id AS read_id, r.device_id, d.country_code, r.energy_wh, r.period_start, r.period_end,
           greatest(r.period_start, m.lo) AS part_start, least(r.period_end, m.hi) AS part_end
    FROM members m
    JOIN meter_read r ON r.device_id = m.device_id AND r.status = 'accepted'
                     AND r.period_start < m.hi AND r.period_end > m.lo
    JOIN device d ON d.id = r.device_id
)
SELECT read_id, device_id, country_code, part_start, part_end,
       div(energy_wh * extract(epoch FROM part_end - period_start) * 1000000,
           extract(epoch FROM period_end - period_start) * 1000000)
     - div(energy_wh * extract(epoch FROM part_start - period_start) * 1000000,
           extract(epoch FROM period_end - period_start) * 1000000) AS energy_wh
FROM parts
WHERE NOT EXISTS (
    SELECT 1 FROM certified_energy c
    WHERE c.read_id = parts.read_id
      AND tstzrange(c.period_start, c.period_end) && tstzrange(parts.part_start, parts.part_end)
)
ORDER BY country_code, device_id, part_start
""")


@dataclass
class Part:
    read_id: int
    device_id: uuid.UUID
    country_code: str
    start: datetime
    end: datetime
    energy_wh: int


def certify_window(
    session: Session, reservation_id: uuid.UUID, window_start: datetime, window_end: datetime, now: datetime
) -> list[Certificate]:
    """Certify the reservation's uncertified energy in the window; nothing happens for a window already done."""
    reservation = session.scalars(select(Reservation).where(Reservation.id == reservation_id).with_for_update()).one()
    if reservation.issued_until >= window_end:
        return []
    parts = _uncertified_parts(session, reservation.id, window_start, window_end)
    certificates = [
        _certificate(session, reservation, window_start, window_end, country, country_parts, now)
        for country, country_parts in _by_country(parts).items()
        if sum(p.energy_wh for p in country_parts) > 0
    ]
    reservation.issued_until = window_end
    return certificates


def _uncertified_parts(session: Session, reservation_id: uuid.UUID, start: datetime, end: datetime) -> list[Part]:
    rows = session.execute(
        UNCERTIFIED_PARTS, {"reservation_id": reservation_id, "window_start": start, "window_end": end}
    )
    return [Part(r.read_id, r.device_id, r.country_code, r.part_start, r.part_end, int(r.energy_wh)) for r in rows]


def _by_country(parts: list[Part]) -> dict[str, list[Part]]:
    grouped: dict[str, list[Part]] = defaultdict(list)
    for part in parts:
        grouped[part.country_code].append(part)
    return grouped


def certificate_key(reservation_id: uuid.UUID, window_start: datetime, country_code: str) -> bytes:
    """The key the contract refuses to mint twice: one per (reservation, window, country)."""
    return keccak(
        b"drec-certificate"
        + reservation_id.bytes
        + int(window_start.timestamp()).to_bytes(8, "big")
        + country_code.encode()
    )


def _certificate(
    session: Session,
    reservation: Reservation,
    window_start: datetime,
    window_end: datetime,
    country: str,
    parts: list[Part],
    now: datetime,
) -> Certificate:
    contributions = _contributions(parts)
    key = certificate_key(reservation.id, window_start, country)
    certificate = Certificate(
        reservation_id=reservation.id,
        beneficiary_organization_id=reservation.buyer_organization_id,
        window_start=window_start,
        window_end=window_end,
        country_code=country,
        volume_wh=sum(c.energy_wh for c in contributions),
        generation_start=min(p.start for p in parts),
        generation_end=max(p.end for p in parts),
        owner_address=reservation.wallet_address,
        certificate_key="0x" + key.hex(),
        token_id=str(int.from_bytes(key, "big")),
        rule_versions=[MAX_ENERGY_RULE],
        contributions_root="0x"
        + merkle.root(
            [merkle.leaf(c.device_id, c.period_start, c.period_end, c.energy_wh) for c in contributions]
        ).hex(),
        created_at=now,
        contributions=contributions,
    )
    session.add(certificate)
    session.flush()
    session.execute(
        insert(CertifiedEnergy),
        [
            {
                "certificate_id": certificate.id,
                "read_id": p.read_id,
                "period_start": p.start,
                "period_end": p.end,
                "energy_wh": p.energy_wh,
            }
            for p in parts
        ],
    )
    outbox.enqueue(session, OutboxKind.MINT_CERTIFICATE, str(certificate.id), now)
    return certificate


def _contributions(parts: list[Part]) -> list[CertificateContribution]:
    by_device: dict[uuid.UUID, list[Part]] = defaultdict(list)
    for part in parts:
        by_device[part.device_id].append(part)
    return [
        CertificateContribution(
            device_id=device_id,
            period_start=min(p.start for p in device_parts),
            period_end=max(p.end for p in device_parts),
            energy_wh=sum(p.energy_wh for p in device_parts),
        )
        for device_id, device_parts in sorted(by_device.items(), key=lambda item: item[0].bytes)
    ]
