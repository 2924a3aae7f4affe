"""Which certificates' energy each I-REC serial carries, and which serials a redemption redeems (ADR 0113).

The registry issues whole MWh: serial k of a request holds Wh [k·10⁶, (k+1)·10⁶) of the request's stream, so a serial
may carry the energy of several certificates (a straddling serial). Such a serial is redeemed once, with the first
redemption of any certificate whose energy it carries, and never while energy it carries is claimed as a D-REC;
the redemption of a certificate names every serial carrying its energy, those it redeems and those redeemed before
with a neighbour.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.irec.service.conversion import WH_PER_MWH, label
from dapp.issuance.service.standards import redeemed_serials
from dapp.models.irec import IrecAllocation, IrecCertificate, IrecIssueRequest, IrecPart, IrecRedemption
from dapp.models.issuance import Certificate, Claim


@dataclass(frozen=True)
class Serial:
    """One serial carrying some of a certificate's energy, with every certificate whose energy it carries."""

    issue_id: str  # the registry's issuance (the request's registry id)
    number: int
    label: str
    carriers: dict[str, int]  # token id → Wh of that certificate in this serial's MWh
    redeemed: dict[str, Any] | None  # the registry's statement of an earlier redemption holding it
    blocked: bool  # some energy it carries is claimed as a D-REC: it is never redeemed


def serials_of(session: Session, state: IrecCertificate, lock: bool = True) -> list[Serial]:
    """Every serial carrying the certificate's energy, in serial order. With `lock`, its issue requests are locked,
    so that a redemption and a D-REC claim of certificates sharing a serial never decide about it at once."""
    ranges = state.serial_ranges or []
    query = select(IrecIssueRequest).where(IrecIssueRequest.id.in_([uuid.UUID(r["request_id"]) for r in ranges]))
    if lock:
        query = query.order_by(IrecIssueRequest.id).with_for_update()
    requests = {r.id: r for r in session.scalars(query)}
    serials = []
    for entry in ranges:
        request = requests[uuid.UUID(entry["request_id"])]
        streams = _stream(session, request.id)
        redeemed = redeemed_serials(session, request.registry_id or "")
        claimed = _claimed_tokens(session, {token for token, _, _ in streams})
        for number in range(int(entry["first"]), int(entry["last"]) + 1):
            carriers = _carriers(streams, (number - (request.serial_first or 0)) * WH_PER_MWH)
            serials.append(
                Serial(
                    request.registry_id or "", number, label(request, number), carriers, redeemed.get(number),
                    any(token in claimed for token in carriers),
                )
            )  # fmt: skip
    return serials


def _stream(session: Session, request_id: uuid.UUID) -> list[tuple[str, int, int]]:
    """(token id, first Wh, Wh) of each allocation of the request, in stream order."""
    query = (
        select(Certificate.token_id, IrecAllocation.offset_wh, IrecAllocation.energy_wh)
        .join(IrecPart, IrecPart.id == IrecAllocation.part_id)
        .join(Certificate, Certificate.id == IrecPart.certificate_id)
        .where(IrecAllocation.request_id == request_id)
        .order_by(IrecAllocation.offset_wh)
    )
    return [(token, int(offset), int(wh)) for token, offset, wh in session.execute(query)]


def _carriers(stream: list[tuple[str, int, int]], start_wh: int) -> dict[str, int]:
    """Token id → Wh of the MWh starting at `start_wh` of the stream."""
    end_wh, carriers = start_wh + WH_PER_MWH, dict[str, int]()
    for token, offset, energy in stream:
        overlap = min(end_wh, offset + energy) - max(start_wh, offset)
        if overlap > 0:
            carriers[token] = carriers.get(token, 0) + overlap
    return carriers


def _claimed_tokens(session: Session, token_ids: set[str]) -> set[str]:
    """Tokens of which some energy is claimed as a D-REC (a claim that is not a redemption's burn)."""
    burns = select(IrecRedemption.claim_id).where(IrecRedemption.claim_id.is_not(None))
    query = (
        select(Certificate.token_id)
        .join(Claim, Claim.certificate_id == Certificate.id)
        .where(Certificate.token_id.in_(token_ids), Claim.id.not_in(burns))
    )
    return set(session.scalars(query))
