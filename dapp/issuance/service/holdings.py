"""What the indexer recorded of the certificates' tokens, for pages and the API: holdings, claims, transfers and
each certificate's chain state (R-IDX-1).

Plain SQL over the indexer's tables. Addresses are compared in lower case.
These functions take an address, not an actor: the caller decides whose address may be shown (chain data is
public, but a page shows an organization its own wallets).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dapp.models.chain import (
    CertificateChainState,
    ChainEvent,
    TokenBalance,
    TokenClaim,
    TokenTransfer,
)
from dapp.models.issuance import Certificate


@dataclass(frozen=True)
class Holding:
    token_id: str
    balance_wh: int
    certificate_id: uuid.UUID | None  # None for a token the platform did not issue


@dataclass(frozen=True)
class ChainClaim:
    token_id: str
    holder: str
    claimed_by: str
    claimed_wh: int
    claim_data: bytes
    tx_hash: str
    claimed_at: datetime
    certificate_id: uuid.UUID | None


@dataclass(frozen=True)
class Transfer:
    token_id: str
    from_address: str
    to_address: str
    value_wh: int
    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class ChainState:
    token_id: str
    is_revoked: bool = False
    revocation_reason: str | None = None
    provisional_beneficiary: str | None = None
    irec_serial_start: str | None = None
    irec_serial_end: str | None = None
    irec_metadata_cid: str | None = None
    released_wh: int | None = None
    is_released_whole: bool = False

    @property
    def is_provisional(self) -> bool:
        """Held by the provisional account until the I-REC registry confirms it or an admin releases it whole."""
        return (
            self.provisional_beneficiary is not None and self.irec_serial_start is None and not self.is_released_whole
        )


def holdings(session: Session, address: str) -> list[Holding]:
    """The tokens `address` holds now (balance > 0), largest first."""
    rows = session.execute(
        select(TokenBalance.token_id, TokenBalance.balance_wh, Certificate.id)
        .outerjoin(Certificate, Certificate.token_id == TokenBalance.token_id)
        .where(TokenBalance.holder == address.lower())
        .order_by(TokenBalance.balance_wh.desc(), TokenBalance.token_id)
    )
    return [Holding(token_id, balance_wh, certificate_id) for token_id, balance_wh, certificate_id in rows]


def claims(session: Session, address: str) -> list[ChainClaim]:
    """The claims (retirements) of tokens `address` held, newest first."""
    rows = session.execute(
        select(TokenClaim, Certificate.id)
        .outerjoin(Certificate, Certificate.token_id == TokenClaim.token_id)
        .where(TokenClaim.holder == address.lower())
        .order_by(TokenClaim.claimed_at.desc(), TokenClaim.event_id.desc())
    )
    return [
        ChainClaim(
            c.token_id, c.holder, c.claimed_by, c.claimed_wh, c.claim_data, c.tx_hash, c.claimed_at, certificate_id
        )
        for c, certificate_id in rows
    ]


def transfers(session: Session, address: str, limit: int = 100) -> list[Transfer]:
    """Movements of tokens to or from `address` (mints and claims' burns included), newest first."""
    address = address.lower()
    rows = session.execute(
        select(TokenTransfer, ChainEvent.tx_hash, ChainEvent.block_number)
        .join(ChainEvent, ChainEvent.id == TokenTransfer.event_id)
        .where(or_(TokenTransfer.from_address == address, TokenTransfer.to_address == address))
        .order_by(ChainEvent.block_number.desc(), ChainEvent.log_index.desc(), TokenTransfer.position)
        .limit(limit)
    )
    return [
        Transfer(t.token_id, t.from_address, t.to_address, t.value_wh, tx_hash, block_number)
        for t, tx_hash, block_number in rows
    ]


def chain_state(session: Session, token_id: str) -> ChainState:
    """Revocation and I-REC facts of a certificate as the chain recorded them (defaults when none)."""
    state = session.get(CertificateChainState, token_id)
    if state is None:
        return ChainState(token_id)
    return ChainState(
        token_id,
        state.is_revoked,
        state.revocation_reason,
        state.provisional_beneficiary,
        state.irec_serial_start,
        state.irec_serial_end,
        state.irec_metadata_cid,
        state.released_wh,
        state.is_released_whole,
    )


def claimed_wh(session: Session, token_id: str) -> int:
    """How much of a token has been claimed, by all holders."""
    return int(
        session.scalar(select(func.coalesce(func.sum(TokenClaim.claimed_wh), 0)).where(TokenClaim.token_id == token_id))
    )
