"""The I-REC redemption statement (R-IREC-3): the facts of a redemption, signed by the registry like the D-REC
retirement statement (ADR 0102), with the serials redeemed, which certificates' energy each carries (ADR 0113), the
device group and its devices, the certificate and the transaction that burned its token."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp import codes
from dapp.irec.errors import RedemptionNotFound
from dapp.irec.service.serials import Serial, serials_of
from dapp.issuance import statement
from dapp.issuance.service.claims import ISSUER, device_facts, indexed_claim_time
from dapp.models.accounts import Organization
from dapp.models.irec import IrecCertificate, IrecDeviceGroup, IrecPart, IrecRedemption, RedemptionStatus
from dapp.models.issuance import Certificate, Claim

TITLE = "I-REC redemption statement"
LABELS = [
    ("redeemed_by", "Redeemed by"),
    ("beneficiary", "Beneficiary"),
    ("location", "Location"),
    ("country", "Country"),
    ("consumption_period", "Consumption period"),
    ("volume_wh", "Volume (Wh)"),
    ("registry_references", "I-REC registry references"),
    ("serials", "I-REC serials"),
    ("redemption_account", "Registry redemption account"),
    ("token_id", "Certificate token id"),
    ("issuer", "Issuer"),
    ("standard", "Standard"),
    ("generation_period", "Generation period"),
    ("generation_country", "Generation country"),
    ("device_groups", "I-REC device group"),
    ("devices", "Generating devices"),
    ("burn_tx_hash", "Burn transaction"),
    ("redeemed_at", "Redeemed at"),
    ("recorded_on_chain_at", "Burn recorded on chain at (block time)"),
]


@dataclass(frozen=True)
class RedemptionView:
    """A redemption, and its signed statement once the registry redeemed it."""

    redemption: IrecRedemption
    token_id: str
    statement: statement.Statement | None


def view(
    session: Session, organization_id: uuid.UUID | None, redemption_id: uuid.UUID, base_url: str, private_key: str
) -> RedemptionView:
    """The redemption of `organization_id` (any, for a platform admin: None); another's is 'not found'."""
    redemption = session.get(IrecRedemption, redemption_id)
    if redemption is None or organization_id not in (None, redemption.organization_id):
        raise RedemptionNotFound()
    token_id = session.get_one(Certificate, redemption.certificate_id).token_id
    if redemption.status != RedemptionStatus.REDEEMED:
        return RedemptionView(redemption, token_id, None)
    verify_url = f"{base_url}/verify/certificates/{token_id}"
    signed = statement.signed(facts(session, redemption, verify_url), private_key, TITLE, LABELS)
    return RedemptionView(redemption, token_id, signed)


def facts(session: Session, redemption: IrecRedemption, verify_url: str) -> dict[str, Any]:
    """What the statement says; "redeemed at" is the platform's clock, the burn's block time beside it."""
    certificate = session.get_one(Certificate, redemption.certificate_id)
    burn = session.get(Claim, redemption.claim_id) if redemption.claim_id else None
    recorded_at = indexed_claim_time(session, burn) if burn is not None else None
    serials = serials_of(session, session.get_one(IrecCertificate, certificate.id), lock=False)
    return {
        "statement": TITLE,
        "redemption_id": str(redemption.id),
        "redeemed_by": session.get_one(Organization, redemption.organization_id).name,
        "beneficiary": redemption.beneficiary,
        "location": redemption.location,
        "country": redemption.country_code,
        "consumption_period": [redemption.consumption_start.isoformat(), redemption.consumption_end.isoformat()],
        "volume_wh": certificate.volume_wh,
        "registry_references": sorted({s.redeemed["reference"] for s in serials if s.redeemed is not None}),
        "serials": serial_lines(serials),
        "redemption_account": redemption.statements[0]["account"] if redemption.statements else None,
        "certificate_id": str(certificate.id),
        "token_id": certificate.token_id,
        "issuer": ISSUER,
        "standard": "I-REC",
        "generation_period": [certificate.generation_start.isoformat(), certificate.generation_end.isoformat()],
        "generation_country": certificate.country_code,
        "device_groups": _groups(session, certificate.id),
        "devices": device_facts(session, certificate.id),
        "burn_tx_hash": burn.tx_hash if burn is not None else None,
        "redeemed_at": redemption.redeemed_at.isoformat() if redemption.redeemed_at else None,
        "recorded_on_chain_at": _iso(recorded_at),
        "verify_url": verify_url,
    }


def serial_lines(serials: list[Serial]) -> list[str]:
    """One line per serial carrying the certificate's energy: its label, how it stands, whose energy it carries."""
    return [f"{s.label} ({_standing(s)}): carries {_carriers(s.carriers)}" for s in serials]


def _standing(serial: Serial) -> str:
    if serial.redeemed is not None:
        return f"redeemed, reference {serial.redeemed['reference']}"
    if serial.blocked:
        return "not redeemed: energy it carries is claimed as a D-REC"
    return "not redeemed"


def _carriers(carriers: dict[str, int]) -> str:
    return ", ".join(f"{wh} Wh of certificate {token}" for token, wh in carriers.items())


def _groups(session: Session, certificate_id: uuid.UUID) -> str:
    query = (
        select(IrecDeviceGroup)
        .join(IrecPart, IrecPart.group_id == IrecDeviceGroup.id)
        .where(IrecPart.certificate_id == certificate_id)
        .order_by(IrecDeviceGroup.name)
    )
    return "; ".join(
        f"{g.name} (registry id {g.registry_id}, {g.country_code}, {codes.FUELS.get(g.fuel_code, g.fuel_code)})"
        for g in session.scalars(query)
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
