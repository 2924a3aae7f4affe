"""What buyers and admins see of a conversion: per reservation, each certificate's I-REC status and serials and
each group's minted, requested and carried Wh; for the platform, the issue requests and their decisions."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.models.irec import (
    IrecAllocation,
    IrecCertificate,
    IrecDeviceGroup,
    IrecIssueRequest,
    IrecPart,
    IrecRedemption,
)
from dapp.models.irec import IssueRequestStatus as S
from dapp.models.issuance import Certificate
from dapp.reservations.service.listing import get


@dataclass(frozen=True)
class GroupFigures:
    group: IrecDeviceGroup
    minted_wh: int  # provisional Wh of the reservation's certificates from this group
    requested_wh: int  # of which in issue requests, whatever their state
    approved_wh: int  # of which in approved requests
    carried_wh: int  # of which in no request yet: the remainder carried to the group's next request


@dataclass(frozen=True)
class Conversion:
    is_ended: bool
    groups: list[GroupFigures]
    certificates: list[tuple[Certificate, IrecCertificate | None]]


def reservation_conversion(session: Session, actor: Actor, now: datetime, reservation_id: uuid.UUID) -> Conversion:
    """The conversion of one of the buyer's reservations."""
    reservation = get(session, actor, reservation_id)
    query = (
        select(Certificate, IrecCertificate)
        .outerjoin(IrecCertificate, IrecCertificate.certificate_id == Certificate.id)
        .where(Certificate.reservation_id == reservation.id)
        .order_by(Certificate.generation_start, Certificate.id)
    )
    certificates: list[tuple[Certificate, IrecCertificate | None]] = list(session.execute(query).tuples())
    ids = [c.id for c, _ in certificates]
    return Conversion(reservation.effective_end <= now, _figures(session, ids), certificates)


def _figures(session: Session, certificate_ids: list[uuid.UUID]) -> list[GroupFigures]:
    allocated = (
        select(
            IrecAllocation.part_id,
            func.sum(IrecAllocation.energy_wh).label("requested"),
            func.sum(IrecAllocation.energy_wh).filter(IrecIssueRequest.status == S.APPROVED).label("approved"),
        )
        .join(IrecIssueRequest, IrecIssueRequest.id == IrecAllocation.request_id)
        .group_by(IrecAllocation.part_id)
        .subquery()
    )
    query = (
        select(
            IrecDeviceGroup,
            func.sum(IrecPart.energy_wh),
            func.coalesce(func.sum(allocated.c.requested), 0),
            func.coalesce(func.sum(allocated.c.approved), 0),
        )
        .join(IrecPart, IrecPart.group_id == IrecDeviceGroup.id)
        .outerjoin(allocated, allocated.c.part_id == IrecPart.id)
        .where(IrecPart.certificate_id.in_(certificate_ids))
        .group_by(IrecDeviceGroup.id)
        .order_by(IrecDeviceGroup.name)
    )
    return [
        GroupFigures(group, int(minted), int(requested), int(approved), int(minted) - int(requested))
        for group, minted, requested, approved in session.execute(query).tuples()
    ]


def issue_requests(session: Session, limit: int = 500) -> list[tuple[IrecIssueRequest, IrecDeviceGroup]]:
    """The newest issue requests with their groups (the admin's registry queue)."""
    query = select(IrecIssueRequest, IrecDeviceGroup).join(IrecDeviceGroup)
    return list(session.execute(query.order_by(IrecIssueRequest.created_at.desc()).limit(limit)).tuples())


def redemptions(session: Session, limit: int = 100) -> list[tuple[IrecRedemption, str]]:
    """The newest redemptions with their certificates' token ids (the admin's registry queue)."""
    query = select(IrecRedemption, Certificate.token_id).join(
        Certificate, Certificate.id == IrecRedemption.certificate_id
    )
    return list(session.execute(query.order_by(IrecRedemption.created_at.desc()).limit(limit)).tuples())
