"""Conversion of provisional certificates into I-RECs in whole MWh (R-IREC-1, R-IREC-2).

Each run of `irec.sync_registry`, in this order:

1. **collect**: a certificate of an I-REC reservation whose provisional mint is mined gets its parts, the Wh that
   came from each device group, and an `irec_certificate` row (status provisional).
2. **plan**: per group, the Wh of its parts not yet in a request, oldest certificate first, make whole-MWh issue
   requests; what is left (under 1 MWh) is the group's carried remainder, in the next request once the group
   has a whole MWh again. Allocations record which Wh of which part each request converts, so nothing is
   requested twice (the sum of a part's allocations never exceeds it) and nothing is lost (the remainder is what
   is not allocated).
3. **send** queued requests to the registry (client key = request id and round) and **follow** requested ones:
   on approval the serial range is stored (a range overlapping an earlier one is refused and flagged, and the
   database's exclusion constraint backs that); an approval of fewer MWh releases the last Wh of the request
   back to the remainder; a rejection is stored with the registry's reason and marks its certificates rejected.
4. **complete**: a certificate whose parts are all converted by approved requests gets its serials, a metadata
   document version 2 (with the serials) in IPFS, and a `confirm_irec` chain-outbox entry, in one transaction.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.access.permissions import PlatformAdmin
from dapp.audit import service as audit
from dapp.chain import outbox
from dapp.ipfs import ContentStore, add_json
from dapp.irec import notices
from dapp.irec.errors import IssueRequestNotFound, IssueRequestNotRetryable
from dapp.irec.registry import Registry, RegistryRefused, RegistryUnavailable, Serials
from dapp.issuance import metadata
from dapp.models.chain import OutboxEntry, OutboxKind, OutboxStatus
from dapp.models.irec import (
    ConversionStatus,
    IrecAllocation,
    IrecCertificate,
    IrecDeviceGroup,
    IrecGroupMember,
    IrecIssueRequest,
    IrecPart,
    IssueRequestStatus,
)
from dapp.models.issuance import Certificate, CertificateContribution
from dapp.models.reservations import Reservation
from dapp.platform import enqueue_after_commit
from dapp.reservations.service.irec import IREC

WH_PER_MWH = 1_000_000


def collect(session: Session, now: datetime) -> int:
    """Parts per group for every minted provisional certificate not collected yet; returns how many."""
    query = (
        select(Certificate)
        .join(Reservation, Reservation.id == Certificate.reservation_id)
        .outerjoin(IrecCertificate, IrecCertificate.certificate_id == Certificate.id)
        .where(Reservation.standard == IREC, Certificate.mint_tx_hash.is_not(None))
        .where(IrecCertificate.certificate_id.is_(None))
        .order_by(Certificate.generation_start, Certificate.id)
        .with_for_update(of=Certificate, skip_locked=True)
    )
    certificates = list(session.scalars(query))
    for certificate in certificates:
        for group_id, energy_wh in _energy_by_group(session, certificate.id):
            session.add(
                IrecPart(
                    certificate_id=certificate.id, group_id=group_id, energy_wh=energy_wh,
                    position=certificate.generation_start,
                )
            )  # fmt: skip
        session.add(
            IrecCertificate(certificate_id=certificate.id, status=ConversionStatus.PROVISIONAL, collected_at=now)
        )
    session.flush()
    return len(certificates)


def _energy_by_group(session: Session, certificate_id: uuid.UUID) -> list[tuple[uuid.UUID, int]]:
    query = (
        select(IrecGroupMember.group_id, func.sum(CertificateContribution.energy_wh))
        .join(IrecGroupMember, IrecGroupMember.device_id == CertificateContribution.device_id)
        .where(CertificateContribution.certificate_id == certificate_id)
        .group_by(IrecGroupMember.group_id)
        .order_by(IrecGroupMember.group_id)
    )
    return [(group_id, int(wh)) for group_id, wh in session.execute(query)]


def unallocated_parts(session: Session, group_id: uuid.UUID) -> list[tuple[IrecPart, int]]:
    """(part, Wh neither in a request nor released as D-REC) of a group, oldest certificate first."""
    allocated = (
        select(IrecAllocation.part_id, func.sum(IrecAllocation.energy_wh).label("wh"))
        .group_by(IrecAllocation.part_id)
        .subquery()
    )
    query = (
        select(IrecPart, IrecPart.energy_wh - IrecPart.released_wh - func.coalesce(allocated.c.wh, 0))
        .outerjoin(allocated, allocated.c.part_id == IrecPart.id)
        .where(
            IrecPart.group_id == group_id,
            IrecPart.energy_wh - IrecPart.released_wh > func.coalesce(allocated.c.wh, 0),
        )
        .order_by(IrecPart.position, IrecPart.certificate_id)
    )
    return [(part, int(left)) for part, left in session.execute(query).tuples()]


def plan(session: Session, now: datetime) -> int:
    """Whole-MWh issue requests for every group with at least one whole MWh not requested; returns how many."""
    group_ids = session.scalars(select(IrecPart.group_id).distinct().order_by(IrecPart.group_id)).all()
    made = 0
    for group_id in group_ids:
        session.get_one(IrecDeviceGroup, group_id, with_for_update=True)  # one planner per group at a time
        parts = unallocated_parts(session, group_id)
        volume_mwh = sum(left for _, left in parts) // WH_PER_MWH
        if volume_mwh:
            _request(session, group_id, parts, volume_mwh, now)
            made += 1
    return made


def _request(
    session: Session, group_id: uuid.UUID, parts: list[tuple[IrecPart, int]], volume_mwh: int, now: datetime
) -> IrecIssueRequest:
    wanted, taken = volume_mwh * WH_PER_MWH, []
    for part, left in parts:
        if wanted == 0:
            break
        energy = min(left, wanted)
        taken.append((part, energy))
        wanted -= energy
    period = _period(session, [part.certificate_id for part, _ in taken])
    request = IrecIssueRequest(
        group_id=group_id, volume_mwh=volume_mwh, status=IssueRequestStatus.QUEUED, period_start=period[0],
        period_end=period[1], created_at=now,
    )  # fmt: skip
    session.add(request)
    session.flush()
    offset = 0
    for part, energy in taken:
        session.add(IrecAllocation(request_id=request.id, part_id=part.id, offset_wh=offset, energy_wh=energy))
        offset += energy
    session.flush()
    set_status(session, {part.certificate_id for part, _ in taken})
    return request


def _period(session: Session, certificate_ids: list[uuid.UUID]) -> tuple[datetime, datetime]:
    query = select(func.min(Certificate.generation_start), func.max(Certificate.generation_end))
    start, end = session.execute(query.where(Certificate.id.in_(certificate_ids))).one()
    return start, end


def open_requests(session: Session) -> list[uuid.UUID]:
    live = (IssueRequestStatus.QUEUED, IssueRequestStatus.REQUESTED)
    query = select(IrecIssueRequest.id).where(IrecIssueRequest.status.in_(live)).order_by(IrecIssueRequest.created_at)
    return list(session.scalars(query))


def advance(session: Session, registry: Registry, content: ContentStore, now: datetime, request_id: uuid.UUID) -> str:
    """Send a queued request, or read a requested one's decision and act on it; returns its status."""
    request = session.get_one(IrecIssueRequest, request_id, with_for_update=True)
    group = session.get_one(IrecDeviceGroup, request.group_id)
    try:
        if request.status == IssueRequestStatus.QUEUED:
            client_key = f"issue-{request.id}-{request.round}"
            answer = registry.request_issue(
                client_key, group.registry_id or "", (request.period_start, request.period_end), request.volume_mwh
            )
            request.registry_id, request.status, request.requested_at = answer.id, IssueRequestStatus.REQUESTED, now
        if request.status == IssueRequestStatus.REQUESTED:
            answer = registry.issue(request.registry_id or "")
            if answer.status == "approved" and answer.serials is not None:
                _approved(session, content, request, answer.approved_mwh or 0, answer.serials, now)
            elif answer.status == "rejected":
                _rejected(session, request, answer.reason or "rejected by the registry", now)
    except RegistryUnavailable:
        return request.status
    except RegistryRefused as refused:
        _rejected(session, request, refused.reason, now)
    return request.status


def _approved(
    session: Session,
    content: ContentStore,
    request: IrecIssueRequest,
    approved_mwh: int,
    serials: Serials,
    now: datetime,
) -> None:
    first, last, start, end = serials.first, serials.last, serials.start, serials.end
    overlapping = session.scalar(
        select(IrecIssueRequest.id).where(
            IrecIssueRequest.status == IssueRequestStatus.APPROVED,
            IrecIssueRequest.serial_first <= last,
            IrecIssueRequest.serial_last >= first,
        )
    )
    request.decided_at = now
    if overlapping is not None or last - first + 1 != approved_mwh:
        request.status = IssueRequestStatus.SERIAL_CONFLICT
        request.reason = f"The registry's serials {start}–{end} overlap an earlier range or miscount its MWh."
        return
    request.status, request.approved_mwh = IssueRequestStatus.APPROVED, approved_mwh
    request.serial_first, request.serial_last, request.serial_start, request.serial_end = first, last, start, end
    if approved_mwh < request.volume_mwh:
        _release_tail(session, request, (request.volume_mwh - approved_mwh) * WH_PER_MWH)
    session.flush()
    certificate_ids = sorted(certificates_of(session, [request.id]), key=str)
    notices.request_decided(session, request, certificate_ids, now)
    for certificate_id in certificate_ids:
        complete(session, content, now, certificate_id)


def _release_tail(session: Session, request: IrecIssueRequest, energy_wh: int) -> None:
    """Give the last `energy_wh` of a request back to its group's remainder (the registry approved fewer MWh)."""
    query = select(IrecAllocation).where(IrecAllocation.request_id == request.id)
    for allocation in session.scalars(query.order_by(IrecAllocation.offset_wh.desc())):
        if energy_wh == 0:
            break
        cut = min(allocation.energy_wh, energy_wh)
        energy_wh -= cut
        if cut == allocation.energy_wh:
            session.delete(allocation)
        else:
            allocation.energy_wh -= cut


def _rejected(session: Session, request: IrecIssueRequest, reason: str, now: datetime) -> None:
    request.status, request.reason, request.decided_at = IssueRequestStatus.REJECTED, reason, now
    certificate_ids = sorted(certificates_of(session, [request.id]), key=str)
    for certificate_id in certificate_ids:
        session.get_one(IrecCertificate, certificate_id).status = ConversionStatus.REJECTED
    notices.request_rejected(session, certificate_ids, reason, now)
    notices.request_decided(session, request, certificate_ids, now)


def retry(session: Session, admin: PlatformAdmin, now: datetime, request_id: uuid.UUID) -> IrecIssueRequest:
    """An admin's retry of a rejected or conflicting request: the same Wh, a new round (a new client key)."""
    request = session.get(IrecIssueRequest, request_id, with_for_update=True)
    if request is None:
        raise IssueRequestNotFound()
    if request.status not in (IssueRequestStatus.REJECTED, IssueRequestStatus.SERIAL_CONFLICT):
        raise IssueRequestNotRetryable(
            f"This request is {request.status}; only a rejected or conflicting one is retried."
        )
    request.round += 1
    request.status, request.reason, request.registry_id, request.decided_at = (
        IssueRequestStatus.QUEUED,
        None,
        None,
        None,
    )
    request.created_at = now
    set_status(session, certificates_of(session, [request.id]))
    audit.record(session, admin, "irec.retry_issue_request", "irec_issue_request", request.id, now=now)
    enqueue_after_commit(session, "irec.sync_registry")
    return request


def certificates_of(session: Session, request_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    query = select(IrecPart.certificate_id).join(IrecAllocation, IrecAllocation.part_id == IrecPart.id)
    return set(session.scalars(query.where(IrecAllocation.request_id.in_(request_ids))))


def set_status(session: Session, certificate_ids: Iterable[uuid.UUID]) -> None:
    """Provisional or requested, by where the Wh of each (not issued, not released) certificate are."""
    for certificate_id in certificate_ids:
        state = session.get_one(IrecCertificate, certificate_id)
        if state.status not in (ConversionStatus.ISSUED, ConversionStatus.RELEASED):
            state.status = (
                ConversionStatus.REQUESTED
                if _fully(session, certificate_id, live=True)
                else ConversionStatus.PROVISIONAL
            )


def _fully(session: Session, certificate_id: uuid.UUID, live: bool) -> bool:
    """Whether every Wh of the certificate's parts is in requests (live ones, or approved ones only) or released."""
    statuses = (
        [IssueRequestStatus.QUEUED, IssueRequestStatus.REQUESTED, IssueRequestStatus.APPROVED]
        if live
        else [IssueRequestStatus.APPROVED]
    )
    total = session.scalar(
        select(func.sum(IrecPart.energy_wh - IrecPart.released_wh)).where(IrecPart.certificate_id == certificate_id)
    )
    covered = session.scalar(
        select(func.coalesce(func.sum(IrecAllocation.energy_wh), 0))
        .join(IrecPart, IrecPart.id == IrecAllocation.part_id)
        .join(IrecIssueRequest, IrecIssueRequest.id == IrecAllocation.request_id)
        .where(IrecPart.certificate_id == certificate_id, IrecIssueRequest.status.in_(statuses))
    )
    return total is not None and covered == total


def complete(session: Session, content: ContentStore, now: datetime, certificate_id: uuid.UUID) -> bool:
    """Serials, a new metadata document (the certificate's, with the serials) and the on-chain confirmation of a
    certificate fully converted by approved requests (but for Wh released as D-REC); False (and nothing done)
    while some of its Wh wait. A confirmation waits for the release's transaction: `confirmIrec` moves what the
    provisional account holds, so the released Wh must have left it first (`after_release`)."""
    state = session.get_one(IrecCertificate, certificate_id, with_for_update=True)
    done = (ConversionStatus.ISSUED, ConversionStatus.RELEASED)
    if state.status in done or not _fully(session, certificate_id, live=False):
        set_status(session, [certificate_id])
        return False
    ranges = serial_ranges(session, certificate_id)
    certificate = session.get_one(Certificate, certificate_id)
    document = metadata.document(session, certificate) | {
        "previous_version_cid": certificate.metadata_cid,
        "standard_issued": "I-REC",
        "irec": {"serial_start": ranges[0]["start"], "serial_end": ranges[-1]["end"], "serial_ranges": ranges}
        | ({"released_as_drec_wh": state.released_wh} if state.released_wh else {}),
    }
    state.metadata_cid = add_json(content, document)
    state.serial_start, state.serial_end = str(ranges[0]["start"]), str(ranges[-1]["end"])
    state.serial_ranges = ranges
    state.status, state.issued_at = ConversionStatus.ISSUED, now
    if not _has_entry(session, OutboxKind.RELEASE_PROVISIONAL, certificate_id, open_only=True):
        _confirm(session, certificate_id, now)
    notices.certificates_issued(session, [certificate_id], f"{state.serial_start} – {state.serial_end}", now)
    return True


def after_release(session: Session, certificate_id: uuid.UUID, tx_hash: str | None, now: datetime) -> None:
    """The release of part or all of a certificate is on chain: an issued one's confirmation may go now."""
    state = session.get_one(IrecCertificate, certificate_id, with_for_update=True)
    state.release_tx_hash = state.release_tx_hash or tx_hash
    if state.status == ConversionStatus.ISSUED and not _has_entry(session, OutboxKind.CONFIRM_IREC, certificate_id):
        _confirm(session, certificate_id, now)


def _confirm(session: Session, certificate_id: uuid.UUID, now: datetime) -> None:
    outbox.enqueue(session, OutboxKind.CONFIRM_IREC, str(certificate_id), now)
    enqueue_after_commit(session, "chain.submit_outbox")


def _has_entry(session: Session, kind: str, certificate_id: uuid.UUID, open_only: bool = False) -> bool:
    """Whether the certificate has a chain-outbox entry of `kind` (one not done yet, with `open_only`)."""
    query = select(OutboxEntry.id).where(OutboxEntry.kind == kind, OutboxEntry.subject_id == str(certificate_id))
    if open_only:
        query = query.where(OutboxEntry.status != OutboxStatus.DONE)
    return session.scalar(query.limit(1)) is not None


def serial_ranges(session: Session, certificate_id: uuid.UUID) -> list[dict[str, Any]]:
    """The serials whose MWh hold the certificate's Wh, one range per approved request, in serial order. A serial
    whose MWh straddles two certificates appears in both (ADR 0113 says which redemption redeems it)."""
    query = (
        select(IrecAllocation, IrecIssueRequest)
        .join(IrecPart, IrecPart.id == IrecAllocation.part_id)
        .join(IrecIssueRequest, IrecIssueRequest.id == IrecAllocation.request_id)
        .where(IrecPart.certificate_id == certificate_id, IrecIssueRequest.status == IssueRequestStatus.APPROVED)
        .order_by(IrecIssueRequest.serial_first)
    )
    ranges = []
    for allocation, request in session.execute(query).tuples():
        assert request.serial_first is not None
        assert request.serial_start is not None
        start_wh, end_wh = allocation.offset_wh, allocation.offset_wh + allocation.energy_wh
        first = request.serial_first + start_wh // WH_PER_MWH
        last = request.serial_first + (end_wh - 1) // WH_PER_MWH
        ranges.append(
            {"request_id": str(request.id), "registry_id": request.registry_id, "first": first, "last": last,
             "start": label(request, first), "end": label(request, last), "energy_wh": allocation.energy_wh}
        )  # fmt: skip
    return ranges


def label(request: IrecIssueRequest, number: int) -> str:
    """Serial `number` labelled as the registry labels its range: the start label's trailing digits replaced."""
    start = request.serial_start or ""
    digits = len(start) - len(start.rstrip("0123456789"))
    return f"{start[: len(start) - digits]}{number:0{digits}d}"
