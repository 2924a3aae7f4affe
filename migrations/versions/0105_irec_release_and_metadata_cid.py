"""Release of provisional certificates as D-REC; the converted metadata document's CID on chain (ADR 0110)

Revision ID: 0105
Revises: 0090
"""

import sqlalchemy as sa
from alembic import op

revision = "0105"
down_revision = "0090"
branch_labels = None
depends_on = None

CERTIFICATE_STATUSES = "'provisional', 'requested', 'rejected', 'issued'"
REQUEST_STATUSES = "'queued', 'requested', 'approved', 'rejected', 'serial_conflict'"


def upgrade() -> None:
    _statuses("irec_certificate", f"{CERTIFICATE_STATUSES}, 'released'")
    _statuses("irec_issue_request", f"{REQUEST_STATUSES}, 'withdrawn'")
    op.add_column("irec_part", sa.Column("released_wh", sa.BigInteger(), server_default="0", nullable=False))
    op.create_check_constraint(
        op.f("ck_irec_part_released_within_part"), "irec_part", "released_wh >= 0 AND released_wh <= energy_wh"
    )
    op.add_column("irec_certificate", sa.Column("released_wh", sa.BigInteger(), nullable=True))
    op.add_column("irec_certificate", sa.Column("released_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("irec_certificate", sa.Column("release_tx_hash", sa.String(length=66), nullable=True))
    op.add_column("certificate_chain_state", sa.Column("irec_metadata_cid", sa.String(length=100), nullable=True))
    op.add_column("certificate_chain_state", sa.Column("released_wh", sa.BigInteger(), nullable=True))
    op.add_column(
        "certificate_chain_state",
        sa.Column("is_released_whole", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    for column in ("is_released_whole", "released_wh", "irec_metadata_cid"):
        op.drop_column("certificate_chain_state", column)
    for column in ("release_tx_hash", "released_at", "released_wh"):
        op.drop_column("irec_certificate", column)
    op.drop_constraint(op.f("ck_irec_part_released_within_part"), "irec_part", type_="check")
    op.drop_column("irec_part", "released_wh")
    _statuses("irec_issue_request", REQUEST_STATUSES)
    _statuses("irec_certificate", CERTIFICATE_STATUSES)


def _statuses(table: str, allowed: str) -> None:
    op.drop_constraint(op.f(f"ck_{table}_status"), table, type_="check")
    op.create_check_constraint(op.f(f"ck_{table}_status"), table, f"status IN ({allowed})")
