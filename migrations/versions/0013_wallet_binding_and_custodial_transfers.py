"""Bound external wallets and their challenges; custodial transfers; claims that wait for the indexer

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

HELD_STATUS_CHECK = "status IN ('pending', 'sent', 'failed')"


def upgrade() -> None:
    op.add_column("organization", sa.Column("bound_wallet_address", sa.String(length=42), nullable=True))
    op.add_column("organization", sa.Column("wallet_bound_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "uq_organization_bound_wallet_lower", "organization", [sa.text("lower(bound_wallet_address)")], unique=True
    )
    _create_wallet_challenge()
    _claims_wait_for_the_indexer()
    _create_certificate_transfer()


def _create_wallet_challenge() -> None:
    op.create_table(
        "wallet_challenge",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], name=op.f("fk_wallet_challenge_organization_id_organization")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["user_account.id"], name=op.f("fk_wallet_challenge_requested_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_challenge")),
        sa.UniqueConstraint("nonce", name=op.f("uq_wallet_challenge_nonce")),
    )
    op.create_index(op.f("ix_wallet_challenge_organization_id"), "wallet_challenge", ["organization_id"])


def _claims_wait_for_the_indexer() -> None:
    """A claim's stored status now says only whether its transaction was sent; 'claimed' is what the index says."""
    op.drop_constraint(op.f("ck_claim_status"), "claim", type_="check")
    op.execute("UPDATE claim SET status = 'sent' WHERE status = 'claimed'")
    op.create_check_constraint(op.f("ck_claim_status"), "claim", HELD_STATUS_CHECK)
    op.alter_column("claim", "claimed_at", new_column_name="sent_at")


def _create_certificate_transfer() -> None:
    op.create_table(
        "certificate_transfer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("certificate_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("holder_address", sa.String(length=42), nullable=False),
        sa.Column("volume_wh", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("failure", sa.String(length=500), nullable=True),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("to_address", sa.String(length=42), nullable=False),
        sa.Column("recipient_organization_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("volume_wh > 0", name=op.f("ck_certificate_transfer_volume_positive")),
        sa.CheckConstraint(HELD_STATUS_CHECK, name=op.f("ck_certificate_transfer_status")),
        sa.ForeignKeyConstraint(
            ["certificate_id"], ["certificate.id"], name=op.f("fk_certificate_transfer_certificate_id_certificate")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_certificate_transfer_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_organization_id"],
            ["organization.id"],
            name=op.f("fk_certificate_transfer_recipient_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_transfer")),
    )
    op.create_index(op.f("ix_certificate_transfer_certificate_id"), "certificate_transfer", ["certificate_id"])
    op.create_index(op.f("ix_certificate_transfer_organization_id"), "certificate_transfer", ["organization_id"])


def downgrade() -> None:
    op.drop_table("certificate_transfer")
    op.alter_column("claim", "sent_at", new_column_name="claimed_at")
    op.drop_constraint(op.f("ck_claim_status"), "claim", type_="check")
    op.execute("UPDATE claim SET status = 'claimed' WHERE status = 'sent'")
    op.create_check_constraint(op.f("ck_claim_status"), "claim", "status IN ('pending', 'claimed', 'failed')")
    op.drop_table("wallet_challenge")
    op.drop_index("uq_organization_bound_wallet_lower", table_name="organization")
    op.drop_column("organization", "wallet_bound_at")
    op.drop_column("organization", "bound_wallet_address")
