"""Merge the feature branches developed side by side (accounts, devices, reads, reservations, indexer, issuance)

Revision ID: 0010
Revises: 0002, 0003, 0004, 0005, 0006, 0009
"""

revision = "0010"
down_revision = ("0002", "0003", "0004", "0005", "0006", "0009")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: this revision only joins the branches into one head."""


def downgrade() -> None:
    """Nothing to undo."""
