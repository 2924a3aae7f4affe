"""Recorded transactions keep their fees and what they replace; gas top-ups are recorded too (ADR 0117)

Revision ID: 0115
Revises: 0090
"""

import sqlalchemy as sa
from alembic import op

revision = "0115"
down_revision = "0090"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("chain_transaction", sa.Column("max_fee_per_gas", sa.BigInteger(), nullable=True))
    op.add_column("chain_transaction", sa.Column("max_priority_fee_per_gas", sa.BigInteger(), nullable=True))
    op.add_column("chain_transaction", sa.Column("pending_since", sa.DateTime(timezone=True), nullable=True))
    op.add_column("chain_transaction", sa.Column("replaces_id", sa.BigInteger(), nullable=True))
    op.add_column("chain_transaction", sa.Column("top_up_to", sa.String(length=42), nullable=True))
    op.create_foreign_key(
        op.f("fk_chain_transaction_replaces_id_chain_transaction"),
        "chain_transaction",
        "chain_transaction",
        ["replaces_id"],
        ["id"],
    )
    op.drop_constraint("status", "chain_transaction", type_="check")
    op.create_check_constraint(
        "status", "chain_transaction", "status IN ('sent', 'mined', 'reverted', 'dropped', 'replaced')"
    )


def downgrade() -> None:
    op.drop_constraint("status", "chain_transaction", type_="check")
    op.create_check_constraint("status", "chain_transaction", "status IN ('sent', 'mined', 'reverted', 'dropped')")
    op.drop_constraint(
        op.f("fk_chain_transaction_replaces_id_chain_transaction"), "chain_transaction", type_="foreignkey"
    )
    for column in ("top_up_to", "replaces_id", "pending_since", "max_priority_fee_per_gas", "max_fee_per_gas"):
        op.drop_column("chain_transaction", column)
