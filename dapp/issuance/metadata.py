"""The certificate metadata document stored in IPFS (R-ISS-8); its CID is recorded on chain.

Version 2 carries every R-ISS-8 field: the reservation (start, end, frequency, issuance time zone, target,
authority to exceed, standard), the buyer (id, name, address), the volumes of the reservation when the document
was made (requested, succeeded, failed), the device group of the certificate's contributing devices (fuel,
device types, country, off-takers, commissioning range, aggregated capacity and range, yield, labels, grid
interconnection, SDGs), the developer organizations (name, account), each device, and the issuance round, so
that the token id can be recomputed exactly. Version 1 documents (minted before) keep verifying as they are:
the verifier reads both. Household-level data never enters: no meter reads, no street address, no coordinates.
"""

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from dapp.models.accounts import Organization
from dapp.models.chain import OutboxEntry, OutboxKind, OutboxStatus
from dapp.models.devices import Device
from dapp.models.irec import IrecDeviceGroup, IrecGroupMember
from dapp.models.issuance import Certificate, CertificateStatus
from dapp.models.reservations import Reservation
from dapp.reservations.service.irec import IREC

METADATA_VERSION = "2"
WH_PER_MWH = Decimal(1_000_000)


def document(session: Session, certificate: Certificate) -> dict[str, Any]:
    reservation = session.get_one(Reservation, certificate.reservation_id)
    buyer = session.get_one(Organization, reservation.buyer_organization_id)
    devices = {c.device_id: session.get_one(Device, c.device_id) for c in certificate.contributions}
    fields = _fields(session, certificate, reservation, buyer, devices)
    if reservation.standard == IREC:
        fields["device_groups"] = device_groups(session, list(devices.values()))
    return fields


def _fields(
    session: Session,
    certificate: Certificate,
    reservation: Reservation,
    buyer: Organization,
    devices: dict[uuid.UUID, Device],
) -> dict[str, Any]:
    return {
        "version": METADATA_VERSION,
        "certificate_key": certificate.certificate_key,
        "issuance_round": certificate.issuance_round,
        "buyer_reservation_id": str(reservation.id),
        "beneficiary": buyer.name,
        "buyer_id": str(buyer.id),
        "buyer_address": reservation.wallet_address,
        "standard_issuance_requested": reservation.standard,
        "standard_issued": "D-REC",
        "type": "D-REC",
        "country_code": certificate.country_code,
        "volume_wh": certificate.volume_wh,
        "window": {"start": certificate.window_start.isoformat(), "end": certificate.window_end.isoformat()},
        "generation": {
            "start": certificate.generation_start.isoformat(),
            "end": certificate.generation_end.isoformat(),
        },
        "reservation": _reservation(reservation),
        "frequency": reservation.frequency,
        "target_volume_wh": reservation.target_wh,
        "target_volume_mwh": _mwh(reservation.target_wh),
        "authority_to_exceed": reservation.authority_to_exceed,
        "volumes_mwh": _volumes(session, reservation),
        "leftover_energy_wh": 0,
        "leftover_energy_by_country_wh": {certificate.country_code: 0},
        "rule_versions": certificate.rule_versions,
        "device_ids": sorted(str(device_id) for device_id in devices),
        "device_group": _group(list(devices.values()), certificate.country_code),
        "organizations": _organizations(session, list(devices.values())),
        "devices": [_device(device) for device in sorted(devices.values(), key=lambda d: d.external_id)],
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


def _reservation(reservation: Reservation) -> dict[str, Any]:
    return {
        "start": reservation.period_start.isoformat(),
        "end": reservation.period_end.isoformat(),
        "frequency": reservation.frequency,
        "issuance_time_zone": reservation.timezone,
    }


def _mwh(wh: int | None) -> str | None:
    return None if wh is None else str(Decimal(wh) / WH_PER_MWH)


def _volumes(session: Session, reservation: Reservation) -> dict[str, str | None]:
    """The reservation's volumes when the document is made: requested (every certificate), succeeded (minted),
    failed (whose mint the retry policy gave up on)."""
    of_reservation = Certificate.reservation_id == reservation.id
    total = func.coalesce(func.sum(Certificate.volume_wh), 0)
    minted = func.coalesce(func.sum(Certificate.volume_wh).filter(Certificate.status == CertificateStatus.MINTED), 0)
    requested, succeeded = session.execute(select(total, minted).where(of_reservation)).one()
    failed_mint = (OutboxEntry.kind == OutboxKind.MINT_CERTIFICATE) & (OutboxEntry.status == OutboxStatus.FAILED)
    failed = session.scalar(
        select(total)
        .join(OutboxEntry, OutboxEntry.subject_id == cast(Certificate.id, String))
        .where(of_reservation, failed_mint)
    )
    return {"requested": _mwh(int(requested)), "succeeded": _mwh(int(succeeded)), "failed": _mwh(int(failed or 0))}


def _group(devices: list[Device], country: str) -> dict[str, Any]:
    """The certificate's contributing devices as one group (R-ISS-8's device-group fields)."""
    capacities = [d.capacity_kw for d in devices]
    yields = [d.yield_kwh_per_kwp for d in devices if d.yield_kwh_per_kwp is not None]
    return {
        "country_code": country,
        "fuel_codes": sorted({d.fuel_code for d in devices}),
        "device_type_codes": sorted({d.device_type_code for d in devices}),
        "off_takers": sorted({d.off_taker for d in devices if d.off_taker}),
        "standard_compliance": "D-REC",
        "organization_ids": sorted({str(d.organization_id) for d in devices}),
        "commissioning_date_range": [
            min(d.commissioning_date for d in devices).isoformat(),
            max(d.commissioning_date for d in devices).isoformat(),
        ],
        "grid_interconnection": any(d.grid_interconnection for d in devices),
        "aggregated_capacity_kw": str(sum(capacities, Decimal(0))),
        "capacity_range_kw": [str(min(capacities)), str(max(capacities))],
        "yield_kwh_per_kwp": str(sum(yields, Decimal(0)) / len(yields)) if yields else None,
        "labels": sorted({d.quality_labels for d in devices if d.quality_labels}),
        "sdg_benefits": sorted({code for d in devices for code in d.sdg_benefits}),
    }


def _organizations(session: Session, devices: list[Device]) -> list[dict[str, Any]]:
    ids = {d.organization_id for d in devices}
    found = session.scalars(select(Organization).where(Organization.id.in_(ids)).order_by(Organization.name))
    return [{"id": str(o.id), "name": o.name, "blockchain_address": o.blockchain_address} for o in found]


def _device(device: Device) -> dict[str, Any]:
    return {
        "id": str(device.id),
        "external_id": device.external_id,
        "organization_id": str(device.organization_id),
        "project_name": device.project_name,
        "country_code": device.country_code,
        "fuel_code": device.fuel_code,
        "device_type_code": device.device_type_code,
        "capacity_kw": str(device.capacity_kw),
        "commissioning_date": device.commissioning_date.isoformat(),
        "off_taker": device.off_taker,
        "grid_interconnection": device.grid_interconnection,
        "sdg_benefits": list(device.sdg_benefits),
        "time_zone": device.timezone,
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
    return [_irec_group(groups[group_id], members[group_id]) for group_id in sorted(members, key=str)]


def _irec_group(group: IrecDeviceGroup, devices: list[Device]) -> dict[str, Any]:
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
