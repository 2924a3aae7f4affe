"""Indexes of the content gateway: a CID is public when a certificate or an indexed chain event names it

Revision ID: 0020
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_certificate_metadata_cid", "certificate", ["metadata_cid"])
    op.create_index("ix_chain_event_devices_cid", "chain_event", [sa.text("(args ->> 'devicesCid')")])
    op.create_index("ix_chain_event_metadata_cid_digest", "chain_event", [sa.text("(args ->> 'metadataCidDigest')")])


def downgrade() -> None:
    op.drop_index("ix_chain_event_metadata_cid_digest", table_name="chain_event")
    op.drop_index("ix_chain_event_devices_cid", table_name="chain_event")
    op.drop_index("ix_certificate_metadata_cid", table_name="certificate")
