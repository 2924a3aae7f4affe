"""Certified energy guarded per device time range (not per read), with the excess above a target

Revision ID: 0007
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("certified_energy")
    op.create_table(
        "certified_energy",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("certificate_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("energy_wh", sa.BigInteger(), nullable=False),
        sa.Column("excess_wh", sa.BigInteger(), server_default="0", nullable=False),
        postgresql.ExcludeConstraint(
            (sa.column("device_id"), "="),
            (sa.text("tstzrange(period_start, period_end)"), "&&"),
            using="gist",
            name="ex_certified_energy_once",
        ),
        sa.CheckConstraint("energy_wh >= 0", name=op.f("ck_certified_energy_energy_non_negative")),
        sa.CheckConstraint("excess_wh >= 0", name=op.f("ck_certified_energy_excess_non_negative")),
        sa.CheckConstraint("period_start < period_end", name=op.f("ck_certified_energy_period_order")),
        sa.ForeignKeyConstraint(
            ["certificate_id"], ["certificate.id"], name=op.f("fk_certified_energy_certificate_id_certificate")
        ),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_certified_energy_device_id_device")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certified_energy")),
    )
    op.create_index(op.f("ix_certified_energy_certificate_id"), "certified_energy", ["certificate_id"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("certified energy per read cannot be rebuilt from device ranges")
