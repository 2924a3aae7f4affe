"""Every device has a read state: a trigger creates `device_read_state` with the device

Ingestion then reads a batch's devices and locks their states with one statement (ADR 0033).

Revision ID: 0015
Revises: 0010
"""

from alembic import op

revision = "0015"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION device_read_state_for_new_devices() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO device_read_state (device_id) SELECT id FROM new_devices;
            RETURN NULL;
        END
        $$
    """)
    op.execute("""
        CREATE TRIGGER device_read_state_for_new_devices AFTER INSERT ON device
        REFERENCING NEW TABLE AS new_devices
        FOR EACH STATEMENT EXECUTE FUNCTION device_read_state_for_new_devices()
    """)
    op.execute("""
        INSERT INTO device_read_state (device_id)
        SELECT id FROM device ON CONFLICT (device_id) DO NOTHING
    """)


def downgrade() -> None:
    op.execute("DROP TRIGGER device_read_state_for_new_devices ON device")
    op.execute("DROP FUNCTION device_read_state_for_new_devices()")
