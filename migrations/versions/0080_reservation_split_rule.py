"""Each reservation names the rule that splits a read crossing a boundary (R-ISS-2, ADR 0100)

Reservations that exist already keep the split by time they were certified under; new ones take the solar-true
split.

Revision ID: 0080
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0080"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "reservation",
        sa.Column("split_rule", sa.String(length=20), nullable=False, server_default="split-time/1"),
    )
    op.alter_column("reservation", "split_rule", server_default="split-solar/1")


def downgrade() -> None:
    op.drop_column("reservation", "split_rule")
