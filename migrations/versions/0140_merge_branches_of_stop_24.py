"""Merge the branches of stop 24 (I-REC release, notification links, public chains, late energy, event index)

Revision ID: 0140
Revises: 0105, 0110, 0115, 0125, 0130
"""

revision = "0140"
down_revision = ("0105", "0110", "0115", "0125", "0130")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: this revision only joins the branches into one head."""


def downgrade() -> None:
    """Nothing to undo."""
