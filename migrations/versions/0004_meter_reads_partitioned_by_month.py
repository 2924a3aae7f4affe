"""Meter reads partitioned by month; history spans; flagged reads; yields per country;
meter replacements (ADR 0030, 0031)

`meter_read` becomes range-partitioned by `period_end` (monthly partitions in the schema `meter_read_part`,
made by the function `meter_read_part.create_month`). Its key becomes (id, period_end). History reads keep
their overlap guarantee through `history_span` (an exclusion constraint on a plain table) which each history
read references. Existing rows are copied over.

Revision ID: 0004
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

FIRST_MONTH = "2023-01-01"  # reads of earlier months get their partition when they arrive
LAST_MONTH = "2027-12-01"

CREATE_MONTH = """
CREATE FUNCTION meter_read_part.create_month(month date) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    name text := 'm' || to_char(month, 'YYYY_MM');
    lo timestamptz := date_trunc('month', month)::timestamp AT TIME ZONE 'UTC';
    hi timestamptz := (date_trunc('month', month) + interval '1 month')::timestamp AT TIME ZONE 'UTC';
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('meter_read_part.create_month'));
    IF to_regclass(format('meter_read_part.%I', name)) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE meter_read_part.%I (LIKE public.meter_read INCLUDING DEFAULTS '
                   'INCLUDING CONSTRAINTS INCLUDING GENERATED)', name);
    -- ATTACH takes SHARE UPDATE EXCLUSIVE on meter_read: concurrent inserts and reads go on
    EXECUTE format('ALTER TABLE public.meter_read ATTACH PARTITION meter_read_part.%I FOR VALUES FROM (%L) TO (%L)',
                   name, lo, hi);
    RETURN true;
END $$
"""


def upgrade() -> None:
    # Issuance (revision 0007) no longer references reads by id; where it still does, drop that reference first:
    # a partitioned table cannot be referenced by `id` alone.
    op.execute("ALTER TABLE certified_energy DROP CONSTRAINT IF EXISTS fk_certified_energy_read_id_meter_read")
    _set_old_meter_read_aside()
    _create_history_span()
    _create_meter_read()
    op.execute("CREATE SCHEMA meter_read_part")
    op.execute(CREATE_MONTH)
    op.execute(
        f"SELECT meter_read_part.create_month(m::date) FROM generate_series("  # noqa: S608 - constants
        f"'{FIRST_MONTH}'::date, '{LAST_MONTH}'::date, interval '1 month') AS m"
    )
    _copy_old_reads()
    _change_rejected_read()
    op.add_column("device_read_state", sa.Column("next_baseline_reason", sa.String(length=40), nullable=True))
    _create_country_yield()
    _create_meter_replacement()


def _set_old_meter_read_aside() -> None:
    op.rename_table("meter_read", "meter_read_0001")
    op.execute("ALTER SEQUENCE meter_read_id_seq RENAME TO meter_read_0001_id_seq")
    op.execute("ALTER TABLE meter_read_0001 DROP CONSTRAINT pk_meter_read")
    op.execute("ALTER TABLE meter_read_0001 DROP CONSTRAINT ex_meter_read_history_overlap")
    op.drop_index("uq_meter_read_ongoing_end", table_name="meter_read_0001")
    op.drop_index("ix_meter_read_device_end", table_name="meter_read_0001")


def _create_history_span() -> None:
    op.create_table(
        "history_span",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        postgresql.ExcludeConstraint(
            (sa.column("device_id"), "="),
            (sa.text("tstzrange(period_start, period_end)"), "&&"),
            using="gist",
            name="ex_history_span_overlap",
        ),
        sa.CheckConstraint("period_start < period_end", name=op.f("ck_history_span_period_order")),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_history_span_device_id_device")),
        sa.PrimaryKeyConstraint("device_id", "period_start", "period_end", name="pk_history_span"),
    )


def _create_meter_read() -> None:
    op.create_table(
        "meter_read",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("read_type", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("status_reason", sa.String(length=40), nullable=True),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "history_start",
            sa.DateTime(timezone=True),
            sa.Computed("CASE WHEN read_type = 'history' THEN period_start END", persisted=True),
            nullable=True,
        ),
        sa.Column("value_wh", sa.BigInteger(), nullable=False),
        sa.Column("energy_wh", sa.BigInteger(), nullable=False),
        sa.Column("max_energy_wh", sa.BigInteger(), nullable=True),
        sa.Column("rule_version", sa.String(length=20), nullable=False),
        sa.Column("yield_kwh_per_kwp", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("yield_source", sa.String(length=10), nullable=True),
        sa.Column("clear_sky_wh", sa.BigInteger(), nullable=True),
        sa.Column("clear_sky_rule", sa.String(length=20), nullable=True),
        sa.Column("location_source", sa.String(length=20), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_id", sa.Uuid(), nullable=True),
        sa.Column("review_policy", sa.String(length=60), nullable=True),
        sa.Column("review_note", sa.String(length=500), nullable=True),
        sa.CheckConstraint("energy_wh >= 0", name=op.f("ck_meter_read_energy_non_negative")),
        sa.CheckConstraint(
            "period_start IS NULL OR period_start < period_end", name=op.f("ck_meter_read_period_order")
        ),
        sa.CheckConstraint(
            "status IN ('accepted', 'baseline', 'flagged', 'dismissed')", name=op.f("ck_meter_read_status")
        ),
        sa.CheckConstraint(
            "status = 'baseline' OR period_start IS NOT NULL", name=op.f("ck_meter_read_certifiable_has_start")
        ),
        sa.CheckConstraint(
            "read_type <> 'history' OR status <> 'baseline'", name=op.f("ck_meter_read_history_never_baseline")
        ),
        sa.CheckConstraint(
            "reviewed_at IS NULL OR status IN ('accepted', 'dismissed')", name=op.f("ck_meter_read_reviewed_is_decided")
        ),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_meter_read_device_id_device")),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["user_account.id"], name=op.f("fk_meter_read_reviewed_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["device_id", "history_start", "period_end"],
            ["history_span.device_id", "history_span.period_start", "history_span.period_end"],
            name="fk_meter_read_history_span",
        ),
        sa.PrimaryKeyConstraint("id", "period_end", name="pk_meter_read"),
        postgresql_partition_by="RANGE (period_end)",
    )
    op.create_index("ix_meter_read_device_end", "meter_read", ["device_id", "period_end"], unique=False)
    op.create_index(
        "uq_meter_read_ongoing_end",
        "meter_read",
        ["device_id", "period_end"],
        unique=True,
        postgresql_where=sa.text("read_type <> 'history'"),
    )
    op.create_index(
        "uq_meter_read_history_span",
        "meter_read",
        ["device_id", "period_start", "period_end"],
        unique=True,
        postgresql_where=sa.text("read_type = 'history'"),
    )
    op.create_index(
        "ix_meter_read_flagged",
        "meter_read",
        ["period_end"],
        unique=False,
        postgresql_where=sa.text("status = 'flagged'"),
    )


def _copy_old_reads() -> None:
    op.execute(
        "SELECT meter_read_part.create_month(m) FROM (SELECT DISTINCT (period_end AT TIME ZONE 'UTC')::date AS m"
        " FROM meter_read_0001) AS months"
    )
    op.execute(
        "INSERT INTO history_span (device_id, period_start, period_end)"
        " SELECT device_id, period_start, period_end FROM meter_read_0001 WHERE read_type = 'history'"
    )
    columns = (
        "id, device_id, read_type, status, status_reason, period_start, period_end, value_wh, energy_wh,"
        " max_energy_wh, rule_version, received_at"
    )
    op.execute(f"INSERT INTO meter_read ({columns}) SELECT {columns} FROM meter_read_0001")  # noqa: S608 - constants
    op.execute(
        "SELECT setval(pg_get_serial_sequence('meter_read', 'id'), coalesce((SELECT max(id) FROM meter_read), 0) + 1,"
        " false)"
    )
    op.drop_table("meter_read_0001")


def _change_rejected_read() -> None:
    op.add_column("rejected_read", sa.Column("energy_wh", sa.BigInteger(), nullable=True))
    op.add_column("rejected_read", sa.Column("max_energy_wh", sa.BigInteger(), nullable=True))
    op.drop_index(op.f("ix_rejected_read_device_id"), table_name="rejected_read")
    op.create_index("ix_rejected_read_device_end", "rejected_read", ["device_id", "period_end"], unique=False)


def _create_country_yield() -> None:
    op.create_table(
        "country_yield",
        sa.Column("country_code", sa.String(length=3), nullable=False),
        sa.Column("yield_kwh_per_kwp", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "yield_kwh_per_kwp > 0 AND yield_kwh_per_kwp <= 8760", name=op.f("ck_country_yield_yield_range")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user_account.id"], name=op.f("fk_country_yield_updated_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("country_code", name=op.f("pk_country_yield")),
    )


def _create_meter_replacement() -> None:
    op.create_table(
        "meter_replacement",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("final_register_wh", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_api_key_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_meter_replacement_device_id_device")),
        sa.ForeignKeyConstraint(
            ["recorded_by_api_key_id"], ["api_key.id"], name=op.f("fk_meter_replacement_recorded_by_api_key_id_api_key")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_meter_replacement_recorded_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_replacement")),
    )
    op.create_index(op.f("ix_meter_replacement_device_id"), "meter_replacement", ["device_id"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("partitioned meter reads are not turned back into one table")
