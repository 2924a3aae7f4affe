"""The registry's own record of a certificate or a reservation, as it publishes it in the public register
(R-REG-1) and as verification compares it with the chain: one more witness, never the verdict's source."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.models.issuance import Certificate
from dapp.models.reservations import Reservation


def certificate_record(session: Session, token_id: str) -> dict[str, Any] | None:
    certificate = session.scalar(select(Certificate).where(Certificate.token_id == token_id))
    if certificate is None or certificate.metadata_cid is None:
        return None
    return {
        "token_id": certificate.token_id,
        "certificate_id": str(certificate.id),
        "reservation_id": str(certificate.reservation_id),
        "country_code": certificate.country_code,
        "status": certificate.status,
        "owner_address": certificate.owner_address,
        "volume_wh": certificate.volume_wh,
        "window_start": certificate.window_start.isoformat(),
        "window_end": certificate.window_end.isoformat(),
        "generation_start": certificate.generation_start.isoformat(),
        "generation_end": certificate.generation_end.isoformat(),
        "metadata_cid": certificate.metadata_cid,
        "contributions_root": certificate.contributions_root,
        "contributions": [
            {
                "device_id": str(c.device_id),
                "start": c.period_start.isoformat(),
                "end": c.period_end.isoformat(),
                "energy_wh": c.energy_wh,
            }
            for c in certificate.contributions
        ],
    }


def reservation_record(session: Session, reservation_id: str) -> dict[str, Any] | None:
    try:
        reservation = session.get(Reservation, uuid.UUID(reservation_id))
    except ValueError:
        return None
    if reservation is None or reservation.deleted_at is not None:
        return None
    return {
        "reservation_id": str(reservation.id),
        "wallet_address": reservation.wallet_address,
        "period_start": reservation.period_start.isoformat(),
        "period_end": reservation.period_end.isoformat(),
        "frequency": reservation.frequency,
        "timezone": reservation.timezone,
        "target_wh": reservation.target_wh,
        "authority_to_exceed": reservation.authority_to_exceed,
        "standard": reservation.standard,
        "ended_at": reservation.ended_at.isoformat() if reservation.ended_at else None,
        "device_ids": sorted(str(m.device_id) for m in reservation.members if m.removed_at is None),
    }


def records(session: Session, kind: str, key: str) -> dict[str, Any] | None:
    """The record of `kind` ("certificate" or "reservation") `key`, or None when the registry has none."""
    if kind == "certificate":
        return certificate_record(session, key)
    return reservation_record(session, key)
