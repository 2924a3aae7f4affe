"""indexed token transfers, balances, claims and certificate chain state

Revision ID: 0006
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificate_chain_state",
        sa.Column("token_id", sa.String(length=78), nullable=False),
        sa.Column("is_revoked", sa.Boolean(), nullable=False),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.Column("provisional_beneficiary", sa.String(length=42), nullable=True),
        sa.Column("irec_serial_start", sa.Text(), nullable=True),
        sa.Column("irec_serial_end", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_certificate_chain_state")),
    )
    op.create_table(
        "token_balance",
        sa.Column("token_id", sa.String(length=78), nullable=False),
        sa.Column("holder", sa.String(length=42), nullable=False),
        sa.Column("balance_wh", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("balance_wh > 0", name=op.f("ck_token_balance_balance_positive")),
        sa.PrimaryKeyConstraint("token_id", "holder", name=op.f("pk_token_balance")),
    )
    op.create_index(op.f("ix_token_balance_holder"), "token_balance", ["holder"], unique=False)
    op.create_table(
        "token_claim",
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("token_id", sa.String(length=78), nullable=False),
        sa.Column("holder", sa.String(length=42), nullable=False),
        sa.Column("claimed_by", sa.String(length=42), nullable=False),
        sa.Column("claimed_wh", sa.BigInteger(), nullable=False),
        sa.Column("claim_data", sa.LargeBinary(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["chain_event.id"], name=op.f("fk_token_claim_event_id_chain_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_token_claim")),
    )
    op.create_index(op.f("ix_token_claim_holder"), "token_claim", ["holder"], unique=False)
    op.create_index(op.f("ix_token_claim_token_id"), "token_claim", ["token_id"], unique=False)
    op.create_table(
        "token_transfer",
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.String(length=78), nullable=False),
        sa.Column("from_address", sa.String(length=42), nullable=False),
        sa.Column("to_address", sa.String(length=42), nullable=False),
        sa.Column("value_wh", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["chain_event.id"], name=op.f("fk_token_transfer_event_id_chain_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", "position", name=op.f("pk_token_transfer")),
    )
    op.create_index(op.f("ix_token_transfer_from_address"), "token_transfer", ["from_address"], unique=False)
    op.create_index(op.f("ix_token_transfer_to_address"), "token_transfer", ["to_address"], unique=False)
    op.create_index(op.f("ix_token_transfer_token_id"), "token_transfer", ["token_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_token_transfer_token_id"), table_name="token_transfer")
    op.drop_index(op.f("ix_token_transfer_to_address"), table_name="token_transfer")
    op.drop_index(op.f("ix_token_transfer_from_address"), table_name="token_transfer")
    op.drop_table("token_transfer")
    op.drop_index(op.f("ix_token_claim_token_id"), table_name="token_claim")
    op.drop_index(op.f("ix_token_claim_holder"), table_name="token_claim")
    op.drop_table("token_claim")
    op.drop_index(op.f("ix_token_balance_holder"), table_name="token_balance")
    op.drop_table("token_balance")
    op.drop_table("certificate_chain_state")
