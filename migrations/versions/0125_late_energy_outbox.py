"""Late energy is noted when it arrives, so the late-read pass reads only that (R-READ-9, ADR 0124)

Each device's read state holds the instant up to which its time may be certified; every device that is a member
of an issued reservation gets it now, and one `late_energy` row over all its certified time, so that the first
pass after the upgrade still probes, once, everything the old pass would have.

Revision ID: 0125
Revises: 0090
"""

import sqlalchemy as sa
from alembic import op

revision = "0125"
down_revision = "0090"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("device_read_state", sa.Column("certified_until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "late_energy",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name="fk_late_energy_device_id_device"),
        sa.PrimaryKeyConstraint("id", name="pk_late_energy"),
    )
    op.create_index("ix_late_energy_device_id", "late_energy", ["device_id"])
    op.execute("""
        UPDATE device_read_state s SET certified_until = c.until
        FROM (
            SELECT rd.device_id, max(least(rd.active_until, res.issued_until)) AS until
            FROM reservation_device rd JOIN reservation res ON res.id = rd.reservation_id
            WHERE res.issued_until > greatest(rd.active_from, res.period_start)
            GROUP BY rd.device_id
        ) c
        WHERE s.device_id = c.device_id
    """)
    op.execute("""
        INSERT INTO late_energy (device_id, period_start, period_end)
        SELECT device_id, '-infinity', certified_until FROM device_read_state WHERE certified_until IS NOT NULL
    """)


def downgrade() -> None:
    op.drop_table("late_energy")
    op.drop_column("device_read_state", "certified_until")
