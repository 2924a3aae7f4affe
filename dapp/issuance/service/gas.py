"""Gas-fee statement (R-ISS-12): each mint transaction's gas, shared by its certificates, then by the developer
organizations in proportion to their Wh in each certificate. Computed from the outbox and contributions."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

GAS_STATEMENT = text("""
WITH mint AS (
    SELECT o.tx_hash, o.gas_used, o.done_at, o.subject_id::uuid AS certificate_id,
           count(*) OVER (PARTITION BY o.tx_hash) AS certificates_in_tx
    FROM chain_outbox o
    WHERE o.kind = 'mint_certificate' AND o.status = 'done' AND o.tx_hash IS NOT NULL
)
SELECT m.tx_hash, m.done_at, c.id AS certificate_id, c.volume_wh, sum(k.energy_wh)::bigint AS own_wh,
       m.gas_used, m.certificates_in_tx
FROM mint m
JOIN certificate c ON c.id = m.certificate_id
JOIN certificate_contribution k ON k.certificate_id = c.id
JOIN device d ON d.id = k.device_id AND d.organization_id = :organization_id
GROUP BY m.tx_hash, m.done_at, c.id, c.volume_wh, m.gas_used, m.certificates_in_tx
ORDER BY m.done_at DESC, c.id
""")


@dataclass(frozen=True)
class GasCharge:
    tx_hash: str
    minted_at: datetime
    certificate_id: uuid.UUID
    certificate_wh: int
    own_wh: int
    gas: int
    """Gas attributed to the organization: tx gas ÷ certificates in the tx × own Wh ÷ certificate Wh (rounded)."""


def gas_statement(session: Session, organization_id: uuid.UUID) -> list[GasCharge]:
    rows = session.execute(GAS_STATEMENT, {"organization_id": organization_id})
    return [
        GasCharge(
            r.tx_hash,
            r.done_at,
            r.certificate_id,
            r.volume_wh,
            r.own_wh,
            round(r.gas_used * r.own_wh / (r.certificates_in_tx * r.volume_wh)),
        )
        for r in rows
    ]
