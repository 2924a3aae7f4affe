"""Issuance rounds: late energy of a certified window gets a certificate of its own

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("certificate", sa.Column("issuance_round", sa.Integer(), server_default="0", nullable=False))
    op.create_check_constraint(op.f("ck_certificate_issuance_round"), "certificate", "issuance_round >= 0")
    op.drop_constraint("uq_certificate_window", "certificate", type_="unique")
    op.create_unique_constraint(
        "uq_certificate_window", "certificate", ["reservation_id", "window_start", "country_code", "issuance_round"]
    )


def downgrade() -> None:
    op.drop_constraint("uq_certificate_window", "certificate", type_="unique")
    op.create_unique_constraint(
        "uq_certificate_window", "certificate", ["reservation_id", "window_start", "country_code"]
    )
    op.drop_constraint(op.f("ck_certificate_issuance_round"), "certificate", type_="check")
    op.drop_column("certificate", "issuance_round")
