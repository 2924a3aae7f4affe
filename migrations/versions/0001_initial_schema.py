"""initial schema

Revision ID: 0001
Revises: -
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "chain_event",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("contract", sa.String(length=40), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("args", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_event")),
        sa.UniqueConstraint("tx_hash", "log_index", name="uq_chain_event_log"),
    )
    op.create_index(op.f("ix_chain_event_block_number"), "chain_event", ["block_number"], unique=False)
    op.create_table(
        "chain_outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=66), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("gas_used", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_outbox")),
    )
    op.create_index(
        "ix_chain_outbox_pending",
        "chain_outbox",
        ["kind", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "indexer_checkpoint",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_indexer_checkpoint")),
    )
    op.create_table(
        "organization",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("blockchain_address", sa.String(length=42), nullable=True),
        sa.Column("encrypted_private_key", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("type IN ('developer', 'buyer')", name=op.f("ck_organization_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
    )
    op.create_index("uq_organization_name_lower", "organization", [sa.literal_column("lower(name)")], unique=True)
    op.create_table(
        "device",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("project_name", sa.String(length=200), nullable=True),
        sa.Column("country_code", sa.String(length=3), nullable=False),
        sa.Column("commissioning_date", sa.Date(), nullable=False),
        sa.Column("capacity_kw", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("fuel_code", sa.String(length=10), nullable=False),
        sa.Column("device_type_code", sa.String(length=10), nullable=False),
        sa.Column("off_taker", sa.String(length=40), nullable=True),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("yield_kwh_per_kwp", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("onboarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("external_id ~ '^[A-Za-z0-9_-]{1,64}$'", name=op.f("ck_device_external_id_charset")),
        sa.CheckConstraint("capacity_kw > 0 AND capacity_kw <= 1000000", name=op.f("ck_device_capacity_range")),
        sa.CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name=op.f("ck_device_latitude_range")),
        sa.CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180", name=op.f("ck_device_longitude_range")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], name=op.f("fk_device_organization_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
    )
    op.create_index(op.f("ix_device_organization_id"), "device", ["organization_id"], unique=False)
    op.create_index(
        "uq_device_org_external_id", "device", ["organization_id", sa.literal_column("lower(external_id)")], unique=True
    )
    op.create_table(
        "idempotency_record",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], name=op.f("fk_idempotency_record_organization_id_organization")
        ),
        sa.PrimaryKeyConstraint("organization_id", "key", name=op.f("pk_idempotency_record")),
    )
    op.create_table(
        "reservation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("buyer_organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("target_wh", sa.BigInteger(), nullable=True),
        sa.Column("authority_to_exceed", sa.Boolean(), nullable=False),
        sa.Column("standard", sa.String(length=10), nullable=False),
        sa.Column("wallet_address", sa.String(length=42), nullable=False),
        sa.Column("issued_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "authority_to_exceed OR target_wh IS NOT NULL", name=op.f("ck_reservation_target_without_authority")
        ),
        sa.CheckConstraint("period_start < period_end", name=op.f("ck_reservation_period_order")),
        sa.CheckConstraint("target_wh IS NULL OR target_wh > 0", name=op.f("ck_reservation_target_positive")),
        sa.ForeignKeyConstraint(
            ["buyer_organization_id"],
            ["organization.id"],
            name=op.f("fk_reservation_buyer_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation")),
    )
    op.create_index(
        op.f("ix_reservation_buyer_organization_id"), "reservation", ["buyer_organization_id"], unique=False
    )
    op.create_index(
        "uq_reservation_buyer_name",
        "reservation",
        ["buyer_organization_id", sa.literal_column("lower(name)")],
        unique=True,
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("is_org_admin", sa.Boolean(), nullable=False),
        sa.Column("is_platform_admin", sa.Boolean(), nullable=False),
        sa.Column("is_disabled", sa.Boolean(), nullable=False),
        sa.Column("permissions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], name=op.f("fk_user_account_organization_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
    )
    op.create_index(op.f("ix_user_account_organization_id"), "user_account", ["organization_id"], unique=False)
    op.create_index("uq_user_account_email_lower", "user_account", [sa.literal_column("lower(email)")], unique=True)
    op.create_table(
        "api_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("permissions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_api_key_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], name=op.f("fk_api_key_organization_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    op.create_index(op.f("ix_api_key_organization_id"), "api_key", ["organization_id"], unique=False)
    op.create_table(
        "certificate",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("beneficiary_organization_id", sa.Uuid(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("country_code", sa.String(length=3), nullable=False),
        sa.Column("volume_wh", sa.BigInteger(), nullable=False),
        sa.Column("generation_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generation_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner_address", sa.String(length=42), nullable=False),
        sa.Column("certificate_key", sa.String(length=66), nullable=False),
        sa.Column("token_id", sa.String(length=78), nullable=False),
        sa.Column("contributions_root", sa.String(length=66), nullable=False),
        sa.Column("rule_versions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("metadata_cid", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("mint_tx_hash", sa.String(length=66), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("volume_wh > 0", name=op.f("ck_certificate_volume_positive")),
        sa.ForeignKeyConstraint(
            ["beneficiary_organization_id"],
            ["organization.id"],
            name=op.f("fk_certificate_beneficiary_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"], ["reservation.id"], name=op.f("fk_certificate_reservation_id_reservation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate")),
        sa.UniqueConstraint("certificate_key", name=op.f("uq_certificate_certificate_key")),
        sa.UniqueConstraint("reservation_id", "window_start", "country_code", name="uq_certificate_window"),
        sa.UniqueConstraint("token_id", name=op.f("uq_certificate_token_id")),
    )
    op.create_index(
        op.f("ix_certificate_beneficiary_organization_id"), "certificate", ["beneficiary_organization_id"], unique=False
    )
    op.create_index(op.f("ix_certificate_reservation_id"), "certificate", ["reservation_id"], unique=False)
    op.create_table(
        "device_read_state",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("ongoing_type", sa.String(length=10), nullable=True),
        sa.Column("last_end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_register_wh", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_device_read_state_device_id_device")),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_device_read_state")),
    )
    op.create_table(
        "email_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_email_token_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_token_token_hash")),
    )
    op.create_index(op.f("ix_email_token_user_id"), "email_token", ["user_id"], unique=False)
    op.create_table(
        "meter_read",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("read_type", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("status_reason", sa.String(length=40), nullable=True),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value_wh", sa.BigInteger(), nullable=False),
        sa.Column("energy_wh", sa.BigInteger(), nullable=False),
        sa.Column("max_energy_wh", sa.BigInteger(), nullable=True),
        sa.Column("rule_version", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        postgresql.ExcludeConstraint(
            (sa.column("device_id"), "="),
            (sa.text("tstzrange(period_start, period_end)"), "&&"),
            where=sa.text("read_type = 'history'"),
            using="gist",
            name="ex_meter_read_history_overlap",
        ),
        sa.CheckConstraint(
            "status = 'baseline' OR period_start IS NOT NULL", name=op.f("ck_meter_read_certifiable_has_start")
        ),
        sa.CheckConstraint("status IN ('accepted', 'baseline')", name=op.f("ck_meter_read_status")),
        sa.CheckConstraint("energy_wh >= 0", name=op.f("ck_meter_read_energy_non_negative")),
        sa.CheckConstraint(
            "period_start IS NULL OR period_start < period_end", name=op.f("ck_meter_read_period_order")
        ),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_meter_read_device_id_device")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_read")),
    )
    op.create_index("ix_meter_read_device_end", "meter_read", ["device_id", "period_end"], unique=False)
    op.create_index(
        "uq_meter_read_ongoing_end",
        "meter_read",
        ["device_id", "period_end"],
        unique=True,
        postgresql_where=sa.text("read_type <> 'history'"),
    )
    op.create_table(
        "rejected_read",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("read_type", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("value_wh", sa.BigInteger(), nullable=True),
        sa.Column("reason_code", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_rejected_read_device_id_device")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejected_read")),
    )
    op.create_index(op.f("ix_rejected_read_device_id"), "rejected_read", ["device_id"], unique=False)
    op.create_table(
        "reservation_device",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("active_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active_until", sa.DateTime(timezone=True), nullable=False),
        postgresql.ExcludeConstraint(
            (sa.column("device_id"), "="),
            (sa.text("tstzrange(active_from, active_until)"), "&&"),
            using="gist",
            name="ex_reservation_device_exclusive",
        ),
        sa.CheckConstraint("active_from < active_until", name=op.f("ck_reservation_device_period_order")),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_reservation_device_device_id_device")),
        sa.ForeignKeyConstraint(
            ["reservation_id"], ["reservation.id"], name=op.f("fk_reservation_device_reservation_id_reservation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation_device")),
    )
    op.create_index(op.f("ix_reservation_device_device_id"), "reservation_device", ["device_id"], unique=False)
    op.create_index(
        op.f("ix_reservation_device_reservation_id"), "reservation_device", ["reservation_id"], unique=False
    )
    op.create_table(
        "certificate_contribution",
        sa.Column("certificate_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("energy_wh", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"], ["certificate.id"], name=op.f("fk_certificate_contribution_certificate_id_certificate")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_certificate_contribution_device_id_device")
        ),
        sa.PrimaryKeyConstraint("certificate_id", "device_id", name=op.f("pk_certificate_contribution")),
    )
    op.create_table(
        "certified_energy",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("certificate_id", sa.Uuid(), nullable=False),
        sa.Column("read_id", sa.BigInteger(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("energy_wh", sa.BigInteger(), nullable=False),
        postgresql.ExcludeConstraint(
            (sa.column("read_id"), "="),
            (sa.text("tstzrange(period_start, period_end)"), "&&"),
            using="gist",
            name="ex_certified_energy_once",
        ),
        sa.CheckConstraint("energy_wh >= 0", name=op.f("ck_certified_energy_energy_non_negative")),
        sa.CheckConstraint("period_start < period_end", name=op.f("ck_certified_energy_period_order")),
        sa.ForeignKeyConstraint(
            ["certificate_id"], ["certificate.id"], name=op.f("fk_certified_energy_certificate_id_certificate")
        ),
        sa.ForeignKeyConstraint(["read_id"], ["meter_read.id"], name=op.f("fk_certified_energy_read_id_meter_read")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certified_energy")),
    )
    op.create_index(op.f("ix_certified_energy_certificate_id"), "certified_energy", ["certificate_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_certified_energy_certificate_id"), table_name="certified_energy")
    op.drop_table("certified_energy")
    op.drop_table("certificate_contribution")
    op.drop_index(op.f("ix_reservation_device_reservation_id"), table_name="reservation_device")
    op.drop_index(op.f("ix_reservation_device_device_id"), table_name="reservation_device")
    op.drop_table("reservation_device")
    op.drop_index(op.f("ix_rejected_read_device_id"), table_name="rejected_read")
    op.drop_table("rejected_read")
    op.drop_index(
        "uq_meter_read_ongoing_end", table_name="meter_read", postgresql_where=sa.text("read_type <> 'history'")
    )
    op.drop_index("ix_meter_read_device_end", table_name="meter_read")
    op.drop_table("meter_read")
    op.drop_index(op.f("ix_email_token_user_id"), table_name="email_token")
    op.drop_table("email_token")
    op.drop_table("device_read_state")
    op.drop_index(op.f("ix_certificate_reservation_id"), table_name="certificate")
    op.drop_index(op.f("ix_certificate_beneficiary_organization_id"), table_name="certificate")
    op.drop_table("certificate")
    op.drop_index(op.f("ix_api_key_organization_id"), table_name="api_key")
    op.drop_table("api_key")
    op.drop_index("uq_user_account_email_lower", table_name="user_account")
    op.drop_index(op.f("ix_user_account_organization_id"), table_name="user_account")
    op.drop_table("user_account")
    op.drop_index("uq_reservation_buyer_name", table_name="reservation")
    op.drop_index(op.f("ix_reservation_buyer_organization_id"), table_name="reservation")
    op.drop_table("reservation")
    op.drop_table("idempotency_record")
    op.drop_index("uq_device_org_external_id", table_name="device")
    op.drop_index(op.f("ix_device_organization_id"), table_name="device")
    op.drop_table("device")
    op.drop_index("uq_organization_name_lower", table_name="organization")
    op.drop_table("organization")
    op.drop_table("indexer_checkpoint")
    op.drop_index("ix_chain_outbox_pending", table_name="chain_outbox", postgresql_where=sa.text("status = 'pending'"))
    op.drop_table("chain_outbox")
    op.drop_index(op.f("ix_chain_event_block_number"), table_name="chain_event")
    op.drop_table("chain_event")
