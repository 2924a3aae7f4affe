"""How a certificate was computed (R-ISS-11): window, devices, reads used, splits, rule versions, caps."""

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.issuance.errors import DeviceNotInCertificate
from dapp.issuance.schemas import DeviceExplanation, Explanation, PartRead
from dapp.issuance.service.certify import device_parts
from dapp.issuance.service.listing import certificate_read
from dapp.issuance.service.splitting import rule_of
from dapp.models.devices import Device
from dapp.models.issuance import Certificate, CertifiedEnergy
from dapp.models.reservations import Reservation, SplitRule

SPLIT_RULES = {
    SplitRule.TIME: (
        "split-time/1: a read [s, e) of E Wh that crosses a window or membership boundary gives the part [a, b) "
        "⌊E·(b−s)/(e−s)⌋ − ⌊E·(a−s)/(e−s)⌋ Wh, so the parts of a read add up to exactly E."
    ),
    SplitRule.SOLAR: (
        "split-solar/1: a read [s, e) of E Wh that crosses a window or membership boundary gives the part [a, b) "
        "⌊E·W(s, b)/W(s, e)⌋ − ⌊E·W(s, a)/W(s, e)⌋ Wh, W being the clear-sky irradiation at the device's place "
        "(the model of the plausibility rule, per 5-minute slot), so no energy lands in hours when the sun is down "
        "and the parts add up to exactly E; by time where the profile is flat or the place unknown."
    ),
}


def explain(session: Session, certificate: Certificate, device_id: uuid.UUID | None = None) -> Explanation:
    """The explanation of `certificate`; with `device_id`, that device's reads and how each was split."""
    reservation = session.get_one(Reservation, certificate.reservation_id)
    devices = [_device(session, certificate, row, device_id) for row in _device_totals(session, certificate.id)]
    if device_id is not None and all(d.device_id != device_id for d in devices):
        raise DeviceNotInCertificate("This device did not contribute to the certificate.")
    return Explanation(
        certificate=certificate_read(session, certificate),
        frequency=reservation.frequency,
        timezone=reservation.timezone,
        rule_versions=certificate.rule_versions,
        split_rule=SPLIT_RULES[rule_of(certificate.rule_versions)],
        target_wh=reservation.target_wh,
        authority_to_exceed=reservation.authority_to_exceed,
        devices=devices,
    )


def _device_totals(session: Session, certificate_id: uuid.UUID) -> list[Any]:
    return list(
        session.execute(
            select(
                CertifiedEnergy.device_id,
                Device.external_id,
                func.sum(CertifiedEnergy.energy_wh).label("certified"),
                func.sum(CertifiedEnergy.excess_wh).label("excess"),
                func.array_agg(func.tstzrange(CertifiedEnergy.period_start, CertifiedEnergy.period_end)).label(
                    "ranges"
                ),
            )
            .join(Device, Device.id == CertifiedEnergy.device_id)
            .where(CertifiedEnergy.certificate_id == certificate_id)
            .group_by(CertifiedEnergy.device_id, Device.external_id)
            .order_by(Device.external_id)
        )
    )


def _device(session: Session, certificate: Certificate, row: Any, wanted: uuid.UUID | None) -> DeviceExplanation:
    parts = None
    if row.device_id == wanted:
        parts = [PartRead.model_validate(p) for p in device_parts(session, certificate, wanted)]
    return DeviceExplanation(
        device_id=row.device_id,
        external_id=row.external_id,
        certified_wh=row.certified,
        excess_wh=row.excess,
        ranges=sorted((r.lower, r.upper) for r in row.ranges),
        parts=parts,
    )
