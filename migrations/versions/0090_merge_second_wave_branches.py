"""Merge the second wave's branches (gateway indexes, I-REC, sessions, webhooks, split rule and device ids)

Revision ID: 0090
Revises: 0020, 0032, 0050, 0070, 0081
"""

revision = "0090"
down_revision = ("0020", "0032", "0050", "0070", "0081")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: this revision only joins the branches into one head."""


def downgrade() -> None:
    """Nothing to undo."""
