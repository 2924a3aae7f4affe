"""Conversion figures and redemption statements as the API and the pages show them (one place, so both say the same)."""

import uuid
from typing import Any

from dapp.irec.schemas import (
    CertificateConversionRead,
    GroupConversionRead,
    IssueRequestRead,
    ProvisionalCertificateRead,
    RedemptionRead,
    RedemptionStatementRead,
    ReservationConversionRead,
    SignedStatementRead,
)
from dapp.irec.service.statement import RedemptionView
from dapp.irec.service.status import Conversion, Provisional
from dapp.models.irec import IrecCertificate, IrecDeviceGroup, IrecIssueRequest
from dapp.models.issuance import Certificate

FINAL_REMAINDER = (
    "The reservation has ended: {wh} Wh are carried and can never make a whole MWh from this reservation alone. "
    "They wait, provisional and visible, for the group's next whole MWh (energy of the same group in any later "
    "I-REC reservation); a platform admin may otherwise release them as D-RECs."
)


def conversion_read(reservation_id: uuid.UUID, conversion: Conversion) -> ReservationConversionRead:
    carried = sum(g.carried_wh for g in conversion.groups)
    return ReservationConversionRead(
        reservation_id=reservation_id,
        groups=[
            GroupConversionRead(
                group_id=g.group.id, name=g.group.name, country_code=g.group.country_code, minted_wh=g.minted_wh,
                requested_wh=g.requested_wh, approved_wh=g.approved_wh, released_wh=g.released_wh,
                carried_wh=g.carried_wh,
            )
            for g in conversion.groups
        ],
        certificates=[CertificateConversionRead(**_certificate(c, state)) for c, state in conversion.certificates],
        final_remainder=FINAL_REMAINDER.format(wh=carried) if conversion.is_ended and carried else None,
    )  # fmt: skip


def provisional_read(row: Provisional) -> ProvisionalCertificateRead:
    return ProvisionalCertificateRead(
        **_certificate(row.certificate, row.state),
        organization_name=row.organization_name,
        reservation_id=row.certificate.reservation_id,
    )


def _certificate(c: Certificate, state: IrecCertificate | None) -> dict[str, Any]:
    return {
        "certificate_id": c.id, "token_id": c.token_id, "volume_wh": c.volume_wh,
        "generation_start": c.generation_start, "generation_end": c.generation_end,
        "status": state.status if state else "pending",
        "serial_start": state.serial_start if state else None, "serial_end": state.serial_end if state else None,
        "serial_ranges": (state.serial_ranges or []) if state else [],
        "metadata_cid": state.metadata_cid if state else None,
        "confirm_tx_hash": state.confirm_tx_hash if state else None,
        "released_wh": state.released_wh if state else None,
        "release_tx_hash": state.release_tx_hash if state else None,
    }  # fmt: skip


def request_read(request: IrecIssueRequest, group: IrecDeviceGroup) -> IssueRequestRead:
    return IssueRequestRead(
        id=request.id, group_id=group.id, group_name=group.name, round=request.round, volume_mwh=request.volume_mwh,
        approved_mwh=request.approved_mwh, status=request.status, reason=request.reason,
        registry_id=request.registry_id, serial_start=request.serial_start, serial_end=request.serial_end,
        period_start=request.period_start, period_end=request.period_end, created_at=request.created_at,
        decided_at=request.decided_at,
    )  # fmt: skip


def redemption_read(view: RedemptionView) -> RedemptionStatementRead:
    """A redemption with its signed statement, as the API answers it."""
    signed = view.statement
    statement = (
        SignedStatementRead(title=signed.title, facts=signed.facts, signer=signed.signer, signature=signed.signature)
        if signed is not None
        else None
    )
    read = RedemptionRead.model_validate(view.redemption).model_dump()
    return RedemptionStatementRead(**read, token_id=view.token_id, statement=statement)
