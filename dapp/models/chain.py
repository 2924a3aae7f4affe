"""Chain outbox (side effects on chain, written with the business change) and indexed chain state."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dapp.db import Base


class OutboxKind:
    MINT_CERTIFICATE = "mint_certificate"
    LOG_RESERVATION_CREATED = "log_reservation_created"
    CLAIM_CERTIFICATE = "claim_certificate"
    LOG_RESERVATION_DEVICES_CHANGED = "log_reservation_devices_changed"
    LOG_RESERVATION_ENDED = "log_reservation_ended"
    TRANSFER_CERTIFICATE = "transfer_certificate"
    MINT_PROVISIONAL = "mint_provisional"  # an I-REC reservation's certificate, to the provisional account
    CONFIRM_IREC = "confirm_irec"  # its I-REC serials on chain; its tokens to the beneficiary
    RELEASE_PROVISIONAL = "release_provisional"  # provisional Wh to the beneficiary as plain D-REC (ADR 0110)


class OutboxStatus:
    PENDING = "pending"  # waiting for its first try, or for its next one (`next_attempt_at`) after a failure
    SENT = "sent"  # its transaction is signed and recorded; the receipt decides (see ChainTransaction)
    DONE = "done"
    FAILED = "failed"  # gave up after the retry policy's last attempt; a platform admin may retry it


class OutboxEntry(Base):
    """Something to do on chain, written in the same transaction as the business change that requires it.

    `attempts` counts the tries that ended (the successful one included); after a failed try the entry stays
    pending until `next_attempt_at` (exponential backoff), or becomes failed once the policy gives up.
    """

    __tablename__ = "chain_outbox"
    __table_args__ = (
        Index("ix_chain_outbox_pending", "kind", "id", postgresql_where=text("status = 'pending'")),
        Index("ix_chain_outbox_open", "status", "id", postgresql_where=text("status <> 'done'")),
        CheckConstraint("status IN ('pending', 'sent', 'done', 'failed')", name="status"),
        CheckConstraint("status <> 'sent' OR transaction_id IS NOT NULL", name="sent_has_transaction"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(66))
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    next_attempt_at: Mapped[datetime | None]
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("chain_transaction.id"), index=True)
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    gas_used: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class TransactionStatus:
    SENT = "sent"  # signed and recorded; maybe broadcast, maybe mined: only a receipt or the nonce tells
    MINED = "mined"
    REVERTED = "reverted"
    DROPPED = "dropped"  # its nonce was used by another transaction: it can never be mined
    # A stuck transaction sent again at its nonce with higher fees (`replaces_id` on the new one): it may still be
    # mined instead of its replacement, so it is watched until one of them is (ADR 0117).
    REPLACED = "replaced"


class ChainTransaction(Base):
    """A transaction the platform signed for outbox entries, recorded (and committed) before it is broadcast.

    The signed bytes are kept so that a worker that died before the receipt can look the transaction up, or
    broadcast the very same bytes again, instead of signing a second transaction for the same entries. At most
    one transaction per (sender, nonce) is in flight; those it replaced stay `replaced` until one of them is mined.
    A gas top-up of a managed account is recorded the same way, with no entries (`top_up_to`).
    """

    __tablename__ = "chain_transaction"
    __table_args__ = (
        Index(
            "uq_chain_transaction_in_flight", "sender", "nonce", unique=True, postgresql_where=text("status = 'sent'")
        ),
        CheckConstraint("status IN ('sent', 'mined', 'reverted', 'dropped', 'replaced')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    sender: Mapped[str] = mapped_column(String(42))  # checksum address
    nonce: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(String(66), unique=True)
    raw_transaction: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(10), default=TransactionStatus.SENT)
    signed_at: Mapped[datetime]
    settled_at: Mapped[datetime | None]
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    gas_used: Mapped[int | None] = mapped_column(BigInteger)
    max_fee_per_gas: Mapped[int | None] = mapped_column(BigInteger)  # wei; a legacy transaction's gas price
    max_priority_fee_per_gas: Mapped[int | None] = mapped_column(BigInteger)
    pending_since: Mapped[datetime | None]  # wall-clock time it was signed: how long it has waited to be mined
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("chain_transaction.id"))
    top_up_to: Mapped[str | None] = mapped_column(String(42))  # the managed account a gas top-up funds


class ChainEvent(Base):
    """A contract event, written once per (transaction, log index) by the indexer."""

    __tablename__ = "chain_event"
    __table_args__ = (
        UniqueConstraint("tx_hash", "log_index", name="uq_chain_event_log"),
        # The content gateway serves a document when an event names it (dapp.verify.gateway).
        Index("ix_chain_event_devices_cid", text("(args ->> 'devicesCid')")),
        Index("ix_chain_event_metadata_cid_digest", text("(args ->> 'metadataCidDigest')")),
        # A rewind refolds the tokens it touched from their remaining events (indexer.handlers, ADR 0128).
        Index("ix_chain_event_token_id", text("(args ->> 'id')")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    contract: Mapped[str] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(60))
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    block_hash: Mapped[str] = mapped_column(String(66))
    tx_hash: Mapped[str] = mapped_column(String(66))
    log_index: Mapped[int]
    args: Mapped[dict[str, Any]] = mapped_column(JSONB)


INDEXER_CHECKPOINT = "contracts"  # the checkpoint of the indexer that follows the deployed contracts


class IndexerCheckpoint(Base):
    __tablename__ = "indexer_checkpoint"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str] = mapped_column(String(66))


class TokenTransfer(Base):
    """One token id moved by an indexed TransferSingle/TransferBatch event (mints and burns included).

    Deleted with its event when the indexer rewinds; `token_balance` is recomputed from these rows.
    """

    __tablename__ = "token_transfer"

    event_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chain_event.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)  # index of the token id in a batch, 0 for a single
    token_id: Mapped[str] = mapped_column(String(78), index=True)
    from_address: Mapped[str] = mapped_column(String(42), index=True)  # lower-case 0x hex; zero for a mint
    to_address: Mapped[str] = mapped_column(String(42), index=True)  # zero for a burn (claims burn)
    value_wh: Mapped[int] = mapped_column(BigInteger)


class TokenBalance(Base):
    """What a holder owns of a token: the sum of the indexed transfers, recomputed per token, never edited."""

    __tablename__ = "token_balance"
    __table_args__ = (CheckConstraint("balance_wh > 0", name="balance_positive"),)

    token_id: Mapped[str] = mapped_column(String(78), primary_key=True)
    holder: Mapped[str] = mapped_column(String(42), primary_key=True, index=True)  # lower-case 0x hex
    balance_wh: Mapped[int] = mapped_column(BigInteger)


class TokenClaim(Base):
    """A claim (retirement) recorded by an indexed ClaimSingle event; deleted with its event on a rewind."""

    __tablename__ = "token_claim"

    event_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chain_event.id", ondelete="CASCADE"), primary_key=True
    )
    token_id: Mapped[str] = mapped_column(String(78), index=True)
    holder: Mapped[str] = mapped_column(String(42), index=True)  # the claim subject, whose tokens were burnt
    claimed_by: Mapped[str] = mapped_column(String(42))  # the account that sent the claim
    claimed_wh: Mapped[int] = mapped_column(BigInteger)
    claim_data: Mapped[bytes] = mapped_column(LargeBinary)
    tx_hash: Mapped[str] = mapped_column(String(66))
    claimed_at: Mapped[datetime]


class CertificateChainState(Base):
    """What the chain says about a certificate besides balances: revocation and the I-REC path.

    One row per token id that had such an event; no row means not revoked and never provisional.
    """

    __tablename__ = "certificate_chain_state"

    token_id: Mapped[str] = mapped_column(String(78), primary_key=True)
    is_revoked: Mapped[bool] = mapped_column(default=False)
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    provisional_beneficiary: Mapped[str | None] = mapped_column(String(42))  # lower-case 0x hex
    irec_serial_start: Mapped[str | None] = mapped_column(Text)
    irec_serial_end: Mapped[str | None] = mapped_column(Text)
    irec_metadata_cid: Mapped[str | None] = mapped_column(String(100))  # the document naming the serials
    released_wh: Mapped[int | None] = mapped_column(BigInteger)  # released as D-REC from the provisional account
    is_released_whole: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
