"""Index of chain events by token id: a rewind (replay, reorganisation) finds the remaining events of the tokens it
touched without reading every event indexed (issue 21, ADR 0128)

Revision ID: 0130
Revises: 0090
"""

import sqlalchemy as sa
from alembic import op

revision = "0130"
down_revision = "0090"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_chain_event_token_id", "chain_event", [sa.text("(args ->> 'id')")])


def downgrade() -> None:
    op.drop_index("ix_chain_event_token_id", table_name="chain_event")
