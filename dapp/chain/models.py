"""Chain outbox (side effects on chain, written with the business change) and indexed chain state."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Identity, Index, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dapp.db import Base


class OutboxKind:
    MINT_CERTIFICATE = "mint_certificate"
    LOG_RESERVATION_CREATED = "log_reservation_created"
    CLAIM_CERTIFICATE = "claim_certificate"


class OutboxStatus:
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class OutboxEntry(Base):
    __tablename__ = "chain_outbox"
    __table_args__ = (Index("ix_chain_outbox_pending", "kind", "id", postgresql_where=text("status = 'pending'")),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(66))
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    gas_used: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class ChainEvent(Base):
    """A contract event, written once per (transaction, log index) by the indexer."""

    __tablename__ = "chain_event"
    __table_args__ = (UniqueConstraint("tx_hash", "log_index", name="uq_chain_event_log"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    contract: Mapped[str] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(60))
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    block_hash: Mapped[str] = mapped_column(String(66))
    tx_hash: Mapped[str] = mapped_column(String(66))
    log_index: Mapped[int]
    args: Mapped[dict[str, Any]] = mapped_column(JSONB)


class IndexerCheckpoint(Base):
    __tablename__ = "indexer_checkpoint"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str] = mapped_column(String(66))
