"""reservation log, device releases and notifications

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

# Existing reservations get their 'created' log entry; a pending creation log in the outbox now points at it.
CREATED_CHANGES = """
INSERT INTO reservation_change (id, reservation_id, kind, document, created_at, outbox_entry_id)
SELECT gen_random_uuid(), r.id, 'created',
       jsonb_build_object(
           'reservation_id', r.id::text,
           'device_ids', coalesce(
               (SELECT jsonb_agg(rd.device_id::text ORDER BY rd.device_id)
                FROM reservation_device rd WHERE rd.reservation_id = r.id), '[]'::jsonb)),
       r.created_at,
       (SELECT max(o.id) FROM chain_outbox o WHERE o.kind = 'log_reservation_created' AND o.subject_id = r.id::text)
FROM reservation r
"""
POINT_OUTBOX_AT_CHANGES = """
UPDATE chain_outbox o SET subject_id = c.id::text FROM reservation_change c WHERE c.outbox_entry_id = o.id
"""
# Memberships that ended before this revision were free under the old rule: they count as released then.
RELEASE_PAST = "UPDATE reservation_device SET released_at = active_until WHERE active_until <= now()"


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], name=op.f("fk_notification_organization_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    op.create_index("ix_notification_org_created", "notification", ["organization_id", "created_at"], unique=False)
    op.create_index(
        "ix_notification_unsent",
        "notification",
        ["created_at"],
        unique=False,
        postgresql_where=sa.text("emailed_at IS NULL"),
    )
    op.create_table(
        "reservation_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("document", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outbox_entry_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_entry_id"], ["chain_outbox.id"], name=op.f("fk_reservation_change_outbox_entry_id_chain_outbox")
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"], ["reservation.id"], name=op.f("fk_reservation_change_reservation_id_reservation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation_change")),
        sa.UniqueConstraint("outbox_entry_id", name=op.f("uq_reservation_change_outbox_entry_id")),
    )
    op.create_index(
        op.f("ix_reservation_change_reservation_id"), "reservation_change", ["reservation_id"], unique=False
    )
    op.add_column("reservation", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    # A deleted reservation frees its name: the unique index covers the others only.
    op.drop_index("uq_reservation_buyer_name", table_name="reservation")
    op.create_index(
        "uq_reservation_buyer_name",
        "reservation",
        ["buyer_organization_id", sa.literal_column("lower(name)")],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.add_column("reservation_device", sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("reservation_device", sa.Column("released_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_reservation_device_unreleased",
        "reservation_device",
        ["active_until"],
        unique=False,
        postgresql_where=sa.text("released_at IS NULL"),
    )
    op.create_index("ix_device_catalogue_order", "device", ["country_code", "external_id", "id"], unique=False)
    op.execute(CREATED_CHANGES)
    op.execute(POINT_OUTBOX_AT_CHANGES)
    op.execute(RELEASE_PAST)


def downgrade() -> None:
    op.drop_index("ix_device_catalogue_order", table_name="device")
    op.execute(
        "UPDATE chain_outbox o SET subject_id = c.reservation_id::text FROM reservation_change c "
        "WHERE c.outbox_entry_id = o.id AND c.kind = 'created'"
    )
    op.execute(
        "DELETE FROM chain_outbox WHERE kind IN ('log_reservation_devices_changed', 'log_reservation_ended')"
        " AND status = 'pending'"
    )
    op.drop_index(
        "ix_reservation_device_unreleased",
        table_name="reservation_device",
        postgresql_where=sa.text("released_at IS NULL"),
    )
    op.drop_column("reservation_device", "released_at")
    op.drop_column("reservation_device", "removed_at")
    op.drop_index("uq_reservation_buyer_name", table_name="reservation")
    op.create_index(
        "uq_reservation_buyer_name",
        "reservation",
        ["buyer_organization_id", sa.literal_column("lower(name)")],
        unique=True,
    )
    op.drop_column("reservation", "deleted_at")
    op.drop_index(op.f("ix_reservation_change_reservation_id"), table_name="reservation_change")
    op.drop_table("reservation_change")
    op.drop_index("ix_notification_unsent", table_name="notification", postgresql_where=sa.text("emailed_at IS NULL"))
    op.drop_index("ix_notification_org_created", table_name="notification")
    op.drop_table("notification")
