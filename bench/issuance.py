"""R-NF-3: certify one daily window of a reservation of 10,000 devices with 5-minute reads (2.88 M intervals)
vs. the bare SQL aggregate over the same rows, measured in the same run on the same database.

Creates a scratch database on the server at TEST_DATABASE_URL (default: the machine's PostgreSQL), loads the
rows with COPY, then times, three times each on the same state: the reference (sum of the window's energy per
country, joined through the reservation's memberships) and `certify_window` (certificates, contributions,
certified-energy rows, outbox entries, notices and audit entries written and committed, one transaction). After
each run it checks what was certified (one certificate per country, each equal to its certified ranges and to its
contributions, the day's window equal to the reference) and then deletes it, outside the timing. Prints medians,
the worst round and the ratio (goal ≤ 3) under each split rule (ADR 0100), for the day's window and for a window
whose edges cut a read of every device.
Usage: `.venv/bin/python -m bench.issuance [devices]`.
"""

import os
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import psycopg
from sqlalchemy import Connection, text, update

from bench.scratch import libpq, scratch_database
from dapp.db import Database
from dapp.issuance.service.certify import certify_window
from dapp.models.issuance import Certificate
from dapp.models.reservations import Reservation, SplitRule

DAY = datetime(2026, 6, 1, tzinfo=UTC)
STEP = timedelta(minutes=5)
READS_PER_DEVICE = 288
RUNS = 3
GOAL = 3.0
REFERENCE = text("""
SELECT d.country_code, sum(r.energy_wh)
FROM reservation_device m
JOIN meter_read r ON r.device_id = m.device_id AND r.status = 'accepted'
                 AND r.period_start < :window_end AND r.period_end > :window_start
JOIN device d ON d.id = r.device_id
WHERE m.reservation_id = :reservation_id
GROUP BY d.country_code
""")


def load(url: str, devices: int) -> uuid.UUID:
    """Organizations, devices, one reservation holding them all, and a day of 5-minute reads, by COPY."""
    developer, buyer, reservation = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    device_ids = [uuid.uuid4() for _ in range(devices)]
    with psycopg.connect(libpq(url)) as connection:
        _load_accounts(connection, developer, buyer, reservation)
        _copy_devices(connection, developer, device_ids)
        _copy_memberships(connection, reservation, device_ids)
        _copy_reads(connection, device_ids)
        connection.execute("ANALYZE")
    return reservation


def _load_accounts(
    connection: psycopg.Connection, developer: uuid.UUID, buyer: uuid.UUID, reservation: uuid.UUID
) -> None:
    for org, kind in ((developer, "developer"), (buyer, "buyer")):
        connection.execute(
            "INSERT INTO organization (id, name, type, address) VALUES (%s, %s, %s, 'x')", (org, f"{kind} org", kind)
        )
    connection.execute(
        "INSERT INTO reservation (id, buyer_organization_id, name, period_start, period_end, frequency, timezone,"
        " authority_to_exceed, standard, wallet_address, issued_until, created_at) VALUES"
        " (%s, %s, 'bench', %s, %s, 'daily', 'UTC', true, 'D-REC', %s, %s, %s)",
        (reservation, buyer, DAY, DAY + timedelta(days=30), "0x" + "11" * 20, DAY, DAY),
    )


def _copy_devices(connection: psycopg.Connection, developer: uuid.UUID, device_ids: list[uuid.UUID]) -> None:
    columns = (
        "id, organization_id, external_id, country_code, commissioning_date, capacity_kw, fuel_code, "
        "device_type_code, timezone, onboarded_at"
    )
    with connection.cursor().copy(f"COPY device ({columns}) FROM STDIN") as copy:
        for i, device in enumerate(device_ids):
            country = ("KEN", "NGA", "IND")[i % 3]
            copy.write_row(
                (
                    device,
                    developer,
                    f"D{i}",
                    country,
                    date(2025, 1, 1),
                    5,
                    "ES100",
                    "TC120",
                    "UTC",
                    DAY - timedelta(days=1),
                )
            )


def _copy_memberships(connection: psycopg.Connection, reservation: uuid.UUID, device_ids: list[uuid.UUID]) -> None:
    with connection.cursor().copy(
        "COPY reservation_device (id, reservation_id, device_id, active_from, active_until) FROM STDIN"
    ) as copy:
        for device in device_ids:
            copy.write_row((uuid.uuid4(), reservation, device, DAY, DAY + timedelta(days=30)))


def _copy_reads(connection: psycopg.Connection, device_ids: list[uuid.UUID]) -> None:
    columns = "device_id, read_type, status, period_start, period_end, value_wh, energy_wh, rule_version, received_at"
    with connection.cursor().copy(f"COPY meter_read ({columns}) FROM STDIN") as copy:
        for device in device_ids:
            for n in range(READS_PER_DEVICE):
                start = DAY + n * STEP
                copy.write_row(
                    (
                        device,
                        "delta",
                        "accepted",
                        start,
                        start + STEP,
                        30 + n % 7,
                        30 + n % 7,
                        "max-energy/1",
                        DAY + timedelta(days=1),
                    )
                )


def report(name: str, runs: list[float]) -> None:
    spread = ", ".join(f"{t:.3f}" for t in runs)
    print(f"{name:>20}: median {statistics.median(runs):.3f} s, worst {max(runs):.3f} s  (runs {spread})")


# per certificate: its volume, the energy of its certified ranges and of its contributions, its devices
CERTIFIED = text("""
SELECT c.volume_wh,
       (SELECT sum(energy_wh) FROM certified_energy e WHERE e.certificate_id = c.id) AS ranges_wh,
       (SELECT sum(energy_wh) FROM certificate_contribution k WHERE k.certificate_id = c.id) AS contributions_wh,
       (SELECT count(*) FROM certificate_contribution k WHERE k.certificate_id = c.id) AS devices
FROM certificate c WHERE c.id = ANY(:ids)
""")
CLEARED = ("certified_energy", "certificate_contribution", "chain_outbox", "notification", "audit_entry", "certificate")


def check(connection: Connection, certificates: list[Certificate], reference: list, day: bool) -> None:
    """What the run certified and committed: one certificate per country, each equal to its ranges and to its
    contributions, one contribution per device; the day's window (no read cut) certifies what the reference sums."""
    rows = connection.execute(CERTIFIED, {"ids": [c.id for c in certificates]}).all()
    assert len(rows) == len(reference) == 3, rows
    assert all(r.volume_wh == r.ranges_wh == r.contributions_wh for r in rows), rows
    assert sum(r.devices for r in rows) == connection.scalar(text("SELECT count(*) FROM reservation_device"))
    total = sum(r.volume_wh for r in rows)
    assert total == sum(r[1] for r in reference) if day else 0 < total <= sum(r[1] for r in reference), total


def clear(db: Database, reservation: uuid.UUID) -> None:
    """Delete what a run certified, then vacuum, so every run starts from the same state."""
    with db.engine.begin() as connection:
        for table in CLEARED:
            connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (constant table names)
        connection.execute(
            update(Reservation).where(Reservation.id == reservation).values(issued_until=DAY, ended_at=None)
        )
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text(f"VACUUM {', '.join(CLEARED)}"))


def measure(db: Database, reservation: uuid.UUID, rule: SplitRule, window: tuple[datetime, datetime]) -> float:
    """Median seconds of the reference and of `certify_window` under `rule` for `window`; prints both."""
    params = {"reservation_id": reservation, "window_start": window[0], "window_end": window[1]}
    with db.sessions() as session:
        session.execute(update(Reservation).where(Reservation.id == reservation).values(split_rule=rule))
        session.commit()
    reference, ours = [], []
    for _ in range(RUNS):
        with db.engine.connect() as connection:
            started = time.perf_counter()
            sums = connection.execute(REFERENCE, params).all()
            reference.append(time.perf_counter() - started)
        with db.sessions() as session:
            started = time.perf_counter()
            certificates = certify_window(session, reservation, *window, DAY)
            session.commit()
            ours.append(time.perf_counter() - started)
        with db.engine.connect() as connection:
            check(connection, certificates, sums, window == (DAY, DAY + timedelta(days=1)))
        clear(db, reservation)
    ratio = statistics.median(ours) / statistics.median(reference)
    print(f"{rule}, window {window[0]:%H:%M} – {window[1]:%H:%M}:")
    report("bare SQL aggregate", reference)
    report("certify_window", ours)
    worst = max(o / r for o, r in zip(ours, reference, strict=True))
    print(f"  ratio {ratio:.2f} (goal ≤ {GOAL}) {'ok' if ratio <= GOAL else 'OVER'}; worst round {worst:.2f}")
    return ratio


def main() -> None:
    devices = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with scratch_database() as url:
        reservation = load(url, devices)
        db = Database(url)
        print(f"{devices:,} devices × {READS_PER_DEVICE} reads = {devices * READS_PER_DEVICE:,} intervals")
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        day = (DAY, DAY + timedelta(days=1))
        # a window whose edges cut a read of every device: each cut part is split under the rule (ADR 0100)
        cutting = (DAY + STEP / 2, DAY + timedelta(days=1) - STEP / 2)
        for rule in (SplitRule.TIME, SplitRule.SOLAR):
            for window in (day, cutting):
                measure(db, reservation, rule, window)
        db.dispose()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
