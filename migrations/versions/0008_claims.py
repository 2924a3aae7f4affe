"""Claims (retirements) of certificates

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("certificate_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("holder_address", sa.String(length=42), nullable=False),
        sa.Column("volume_wh", sa.BigInteger(), nullable=False),
        sa.Column("beneficiary", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("country_code", sa.String(length=3), nullable=False),
        sa.Column("consumption_start", sa.Date(), nullable=False),
        sa.Column("consumption_end", sa.Date(), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("failure", sa.String(length=500), nullable=True),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("consumption_start <= consumption_end", name=op.f("ck_claim_period_order")),
        sa.CheckConstraint("status IN ('pending', 'claimed', 'failed')", name=op.f("ck_claim_status")),
        sa.CheckConstraint("volume_wh > 0", name=op.f("ck_claim_volume_positive")),
        sa.ForeignKeyConstraint(
            ["certificate_id"], ["certificate.id"], name=op.f("fk_claim_certificate_id_certificate")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], name=op.f("fk_claim_organization_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
    )
    op.create_index(op.f("ix_claim_certificate_id"), "claim", ["certificate_id"], unique=False)
    op.create_index(op.f("ix_claim_organization_id"), "claim", ["organization_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_claim_organization_id"), table_name="claim")
    op.drop_index(op.f("ix_claim_certificate_id"), table_name="claim")
    op.drop_table("claim")
