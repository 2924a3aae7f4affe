"""The certificate metadata document stored in IPFS (R-ISS-8); its CID is recorded on chain."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.models.accounts import Organization
from dapp.models.devices import Device
from dapp.models.irec import IrecDeviceGroup, IrecGroupMember
from dapp.models.issuance import Certificate
from dapp.models.reservations import Reservation
from dapp.reservations.service.irec import IREC

METADATA_VERSION = "1"


def document(session: Session, certificate: Certificate) -> dict[str, Any]:
    reservation = session.get_one(Reservation, certificate.reservation_id)
    buyer = session.get_one(Organization, reservation.buyer_organization_id)
    devices = {c.device_id: session.get_one(Device, c.device_id) for c in certificate.contributions}
    fields = _fields(certificate, reservation, buyer, devices)
    if reservation.standard == IREC:
        fields["device_groups"] = device_groups(session, list(devices.values()))
    return fields


def _fields(
    certificate: Certificate, reservation: Reservation, buyer: Organization, devices: dict[uuid.UUID, Device]
) -> dict[str, Any]:
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


def device_groups(session: Session, devices: list[Device]) -> list[dict[str, Any]]:
    """The I-REC device groups of `devices` as R-ISS-8 lists them (group data goes into the metadata, R-IREC-0)."""
    query = select(IrecGroupMember.device_id, IrecDeviceGroup).join(IrecDeviceGroup)
    rows = session.execute(query.where(IrecGroupMember.device_id.in_([d.id for d in devices]))).tuples()
    group_of = {device_id: group for device_id, group in rows}
    members: dict[uuid.UUID, list[Device]] = {}
    for device in devices:
        if device.id in group_of:
            members.setdefault(group_of[device.id].id, []).append(device)
    groups = {group.id: group for group in group_of.values()}
    return [_group(groups[group_id], members[group_id]) for group_id in sorted(members, key=str)]


def _group(group: IrecDeviceGroup, devices: list[Device]) -> dict[str, Any]:
    capacities = [d.capacity_kw for d in devices]
    return {
        "id": str(group.id),
        "name": group.name,
        "organization_id": str(group.organization_id),
        "fuel_code": group.fuel_code,
        "country_code": group.country_code,
        "registry_id": group.registry_id,
        "device_type_codes": sorted({d.device_type_code for d in devices}),
        "off_takers": sorted({d.off_taker for d in devices if d.off_taker}),
        "commissioning_date_range": [min(d.commissioning_date for d in devices).isoformat(),
                                     max(d.commissioning_date for d in devices).isoformat()],
        "grid_interconnection": any(d.grid_interconnection for d in devices),
        "aggregated_capacity_kw": str(sum(capacities)),
        "capacity_range_kw": [str(min(capacities)), str(max(capacities))],
        "devices": sorted(str(d.id) for d in devices),
    }  # fmt: skip
