"""The certificate metadata document stored in IPFS (R-ISS-8); its CID is recorded on chain."""

from typing import Any

from sqlalchemy.orm import Session

from dapp.models.accounts import Organization
from dapp.models.devices import Device
from dapp.models.issuance import Certificate
from dapp.models.reservations import Reservation

METADATA_VERSION = "1"


def document(session: Session, certificate: Certificate) -> dict[str, Any]:
    reservation = session.get_one(Reservation, certificate.reservation_id)
    buyer = session.get_one(Organization, reservation.buyer_organization_id)
    devices = {c.device_id: session.get_one(Device, c.device_id) for c in certificate.contributions}
    return {
        "version": METADATA_VERSION,
        "certificate_key": certificate.certificate_key,
        "buyer_reservation_id": str(reservation.id),
        "beneficiary": buyer.name,
        "buyer_address": reservation.wallet_address,
        "standard_issuance_requested": reservation.standard,
        "type": "D-REC",
        "country_code": certificate.country_code,
        "volume_wh": certificate.volume_wh,
        "window": {"start": certificate.window_start.isoformat(), "end": certificate.window_end.isoformat()},
        "generation": {
            "start": certificate.generation_start.isoformat(),
            "end": certificate.generation_end.isoformat(),
        },
        "frequency": reservation.frequency,
        "target_volume_wh": reservation.target_wh,
        "authority_to_exceed": reservation.authority_to_exceed,
        "leftover_energy_wh": 0,
        "rule_versions": certificate.rule_versions,
        "contributions_root": certificate.contributions_root,
        "contributions": [
            {
                "device_id": str(c.device_id),
                "external_id": devices[c.device_id].external_id,
                "start": c.period_start.isoformat(),
                "end": c.period_end.isoformat(),
                "energy_wh": c.energy_wh,
            }
            for c in certificate.contributions
        ],
    }
