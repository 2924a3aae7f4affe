"""Release of a provisional certificate as plain D-REC (ADR 0110): a platform admin's decision after the registry
rejected its energy, or for a remainder that will never make a whole MWh.

What is released is every Wh of the certificate not in an approved request: none of it can ever get serials, and
the Wh the registry approved stay I-RECs. A release is refused while any of its Wh waits at the registry (queued,
requested, or approved with conflicting serials), and happens once. Rejected requests holding its Wh are
withdrawn: their other certificates' Wh return to the group's carried remainder, to be requested again. A
certificate released whole is `released`; one with approved Wh is completed as I-REC at once, its confirmation
on chain waiting until the release's transaction is mined (`conversion.after_release`).
"""

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dapp.access.permissions import PlatformAdmin
from dapp.audit import service as audit
from dapp.chain import outbox
from dapp.ipfs import ContentStore
from dapp.irec.errors import (
    CertificateEnergyRequested,
    CertificateNotProvisional,
    IrecCertificateNotFound,
)
from dapp.irec.service import conversion
from dapp.models.chain import OutboxKind
from dapp.models.irec import (
    ConversionStatus,
    IrecAllocation,
    IrecCertificate,
    IrecDeviceGroup,
    IrecIssueRequest,
    IrecPart,
    IssueRequestStatus,
)
from dapp.platform import enqueue_after_commit

WAITING = (IssueRequestStatus.QUEUED, IssueRequestStatus.REQUESTED, IssueRequestStatus.SERIAL_CONFLICT)


def release(
    session: Session, admin: PlatformAdmin, content: ContentStore, now: datetime, certificate_id: uuid.UUID
) -> IrecCertificate:
    """Release what the certificate holds outside approved requests to its buyer as D-REC, through the outbox."""
    state = session.get(IrecCertificate, certificate_id, with_for_update=True)
    if state is None:
        raise IrecCertificateNotFound()
    if state.status in (ConversionStatus.ISSUED, ConversionStatus.RELEASED):
        raise CertificateNotProvisional(f"This certificate is {state.status} already: nothing of it is provisional.")
    parts = _locked_parts(session, certificate_id)
    waiting = _requests_holding(session, parts, WAITING)
    if waiting:
        raise CertificateEnergyRequested(
            f"{len(waiting)} issue request(s) holding this certificate's energy wait for the registry; release it "
            "once they are decided (a rejected one may then be withdrawn by the release)."
        )
    withdrawn = _withdraw(session, _requests_holding(session, parts, (IssueRequestStatus.REJECTED,)))
    approved = _approved_wh(session, parts)  # under every Wh when nothing waits: all approved means issued
    for part in parts:
        part.released_wh = part.energy_wh - approved.get(part.id, 0)
    released = sum(part.released_wh for part in parts)
    state.released_wh, state.released_at = released, now
    outbox.enqueue(session, OutboxKind.RELEASE_PROVISIONAL, str(certificate_id), now)
    if approved:
        conversion.complete(session, content, now, certificate_id)
    else:
        state.status = ConversionStatus.RELEASED
    audit.record(
        session, admin, "irec.release_provisional", "certificate", certificate_id,
        after={"released_wh": released, "withdrawn_requests": [str(r) for r in withdrawn]}, now=now,
    )  # fmt: skip
    enqueue_after_commit(session, "chain.submit_outbox")
    return state


def _locked_parts(session: Session, certificate_id: uuid.UUID) -> list[IrecPart]:
    """The certificate's parts, their groups locked first (in id order, as the planner takes them)."""
    parts = list(session.scalars(select(IrecPart).where(IrecPart.certificate_id == certificate_id)))
    for group_id in sorted({part.group_id for part in parts}):
        session.get_one(IrecDeviceGroup, group_id, with_for_update=True)
    return parts


def _requests_holding(session: Session, parts: list[IrecPart], statuses: tuple[str, ...]) -> list[uuid.UUID]:
    query = (
        select(IrecIssueRequest.id)
        .join(IrecAllocation, IrecAllocation.request_id == IrecIssueRequest.id)
        .where(IrecAllocation.part_id.in_([part.id for part in parts]), IrecIssueRequest.status.in_(statuses))
        .distinct()
        .order_by(IrecIssueRequest.id)
    )
    return list(session.scalars(query))


def _withdraw(session: Session, request_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """Withdraw rejected requests: their Wh leave them (back to the remainder, or released by the caller)."""
    others = conversion.certificates_of(session, request_ids)
    for request_id in request_ids:
        request = session.get_one(IrecIssueRequest, request_id, with_for_update=True)
        request.status = IssueRequestStatus.WITHDRAWN
    session.execute(delete(IrecAllocation).where(IrecAllocation.request_id.in_(request_ids)))
    session.flush()
    conversion.set_status(session, others)
    return request_ids


def _approved_wh(session: Session, parts: list[IrecPart]) -> dict[uuid.UUID, int]:
    query = (
        select(IrecAllocation.part_id, func.sum(IrecAllocation.energy_wh))
        .join(IrecIssueRequest, IrecIssueRequest.id == IrecAllocation.request_id)
        .where(
            IrecAllocation.part_id.in_([part.id for part in parts]),
            IrecIssueRequest.status == IssueRequestStatus.APPROVED,
        )
        .group_by(IrecAllocation.part_id)
    )
    return {part_id: int(wh) for part_id, wh in session.execute(query).tuples()}
