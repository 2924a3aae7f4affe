"""Outbox retries with backoff and the platform's recorded chain transactions (ADR 0052, 0053)

Revision ID: 0012
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_transaction",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("sender", sa.String(length=42), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("raw_transaction", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("gas_used", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "status IN ('sent', 'mined', 'reverted', 'dropped')", name=op.f("ck_chain_transaction_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_transaction")),
        sa.UniqueConstraint("tx_hash", name=op.f("uq_chain_transaction_tx_hash")),
    )
    op.create_index(
        "uq_chain_transaction_in_flight",
        "chain_transaction",
        ["sender", "nonce"],
        unique=True,
        postgresql_where=sa.text("status = 'sent'"),
    )
    op.add_column("chain_outbox", sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("chain_outbox", sa.Column("transaction_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_chain_outbox_transaction_id_chain_transaction"),
        "chain_outbox",
        "chain_transaction",
        ["transaction_id"],
        ["id"],
    )
    op.create_index(op.f("ix_chain_outbox_transaction_id"), "chain_outbox", ["transaction_id"], unique=False)
    op.create_index(
        "ix_chain_outbox_open", "chain_outbox", ["status", "id"], postgresql_where=sa.text("status <> 'done'")
    )
    op.create_check_constraint(
        op.f("ck_chain_outbox_status"), "chain_outbox", "status IN ('pending', 'sent', 'done', 'failed')"
    )
    op.create_check_constraint(
        op.f("ck_chain_outbox_sent_has_transaction"),
        "chain_outbox",
        "status <> 'sent' OR transaction_id IS NOT NULL",
    )


def downgrade() -> None:
    op.execute("UPDATE chain_outbox SET status = 'pending' WHERE status = 'sent'")  # resolved again by isIssued
    op.drop_constraint(op.f("ck_chain_outbox_sent_has_transaction"), "chain_outbox", type_="check")
    op.drop_constraint(op.f("ck_chain_outbox_status"), "chain_outbox", type_="check")
    op.drop_index("ix_chain_outbox_open", table_name="chain_outbox", postgresql_where=sa.text("status <> 'done'"))
    op.drop_index(op.f("ix_chain_outbox_transaction_id"), table_name="chain_outbox")
    op.drop_constraint(op.f("fk_chain_outbox_transaction_id_chain_transaction"), "chain_outbox", type_="foreignkey")
    op.drop_column("chain_outbox", "transaction_id")
    op.drop_column("chain_outbox", "next_attempt_at")
    op.drop_index(
        "uq_chain_transaction_in_flight", table_name="chain_transaction", postgresql_where=sa.text("status = 'sent'")
    )
    op.drop_table("chain_transaction")
