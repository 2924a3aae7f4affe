"""What an I-REC reservation may hold (R-IREC-4): only devices whose device group the I-REC registry approved."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.models.devices import Device
from dapp.models.irec import IrecDeviceGroup, IrecGroupMember, RegistrationStatus
from dapp.reservations.errors import DevicesNotIrecApproved

IREC = "I-REC"


def require_irec_approved(session: Session, standard: str, device_ids: set[uuid.UUID]) -> None:
    """Refuse, naming them, the devices without an approved group when `standard` is I-REC."""
    if standard != IREC or not device_ids:
        return
    query = (
        select(Device.id, Device.external_id, IrecDeviceGroup.name, IrecDeviceGroup.registration_status)
        .outerjoin(IrecGroupMember, IrecGroupMember.device_id == Device.id)
        .outerjoin(IrecDeviceGroup, IrecDeviceGroup.id == IrecGroupMember.group_id)
        .where(Device.id.in_(device_ids))
        .order_by(Device.external_id)
    )
    others = [
        {"device_id": str(row[0]), "external_id": row[1], "group": row[2], "status": row[3] or "not_registered"}
        for row in session.execute(query)
        if row[3] != RegistrationStatus.APPROVED
    ]
    if others:
        names = ", ".join(f"{d['external_id']} ({d['status']})" for d in others)
        raise DevicesNotIrecApproved(
            f"An I-REC reservation takes only devices whose I-REC device group is approved; not these: {names}.",
            device_ids=[d["device_id"] for d in others],
            devices=others,
        )
