"""What buyers and admins see of a conversion: per reservation, each certificate's I-REC status and serials and
each group's minted, requested and carried Wh; for the platform, the issue requests and their decisions."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.models.accounts import Organization
from dapp.models.irec import ConversionStatus as C
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
    released_wh: int  # of which released as D-REC by a platform admin (ADR 0110)
    carried_wh: int  # of which in no request yet and not released: the remainder carried to the group's next request


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
            func.sum(IrecPart.released_wh),
        )
        .join(IrecPart, IrecPart.group_id == IrecDeviceGroup.id)
        .outerjoin(allocated, allocated.c.part_id == IrecPart.id)
        .where(IrecPart.certificate_id.in_(certificate_ids))
        .group_by(IrecDeviceGroup.id)
        .order_by(IrecDeviceGroup.name)
    )
    return [
        GroupFigures(
            group, int(minted), int(requested), int(approved), int(released), int(minted - requested - released)
        )
        for group, minted, requested, approved, released in session.execute(query).tuples()
    ]


@dataclass(frozen=True)
class Provisional:
    certificate: Certificate
    state: IrecCertificate
    organization_name: str


def provisional_certificates(session: Session, certificate_id: uuid.UUID | None = None) -> list[Provisional]:
    """Certificates an admin may release as D-REC (provisional or rejected) and those released, oldest first
    (at most 500), or the one named."""
    query = (
        select(Certificate, IrecCertificate, Organization.name)
        .join(IrecCertificate, IrecCertificate.certificate_id == Certificate.id)
        .join(Organization, Organization.id == Certificate.beneficiary_organization_id)
        .where(
            or_(
                IrecCertificate.status.in_((C.PROVISIONAL, C.REJECTED, C.RELEASED)),
                IrecCertificate.released_wh.is_not(None),
            )
        )
        .order_by(Certificate.generation_start, Certificate.id)
        .limit(500)
    )
    if certificate_id is not None:
        query = query.where(Certificate.id == certificate_id)
    return [Provisional(c, state, name) for c, state, name in session.execute(query).tuples()]


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
