"""Device external ids may hold inner spaces, as the original D-REC platform's did (R-READ-2, ADR 0101)

Revision ID: 0081
Revises: 0080
"""

from alembic import op

revision = "0081"
down_revision = "0080"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("external_id_charset", "device", type_="check")
    op.create_check_constraint(
        "external_id_charset", "device", "external_id ~ '^[A-Za-z0-9_-]([A-Za-z0-9_ -]{0,62}[A-Za-z0-9_-])?$'"
    )


def downgrade() -> None:
    op.drop_constraint("external_id_charset", "device", type_="check")
    op.create_check_constraint("external_id_charset", "device", "external_id ~ '^[A-Za-z0-9_-]{1,64}$'")
