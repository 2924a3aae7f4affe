"""A notification may link to the page it announces (an I-REC redemption's statement)

Revision ID: 0110
Revises: 0090
"""

import sqlalchemy as sa
from alembic import op

revision = "0110"
down_revision = "0090"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notification", sa.Column("link", sa.String(300), nullable=True))


def downgrade() -> None:
    op.drop_column("notification", "link")
