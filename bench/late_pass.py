"""Issue 21 item 5: one late-read pass (R-READ-9) over 10,000 reservations in their grace period with nothing late,
vs. the bare SQL that lists the same reservations' certified ranges, measured in the same run on the same database.

Creates a scratch database on the server at TEST_DATABASE_URL, loads by COPY one device per reservation (daily
windows), `days` days of hourly reads per device (night hours 0 Wh) and one certificate per reservation whose
certified range covers every read, then times `late_windows` (which must find nothing) and the reference five
times each; then notes `late` devices' last 12 hours as late (their certified range shortened, a `late_energy`
row each, ADR 0124) and times the pass that must find exactly their windows. Prints medians, the worst round and
the ratio; the goal is a pass of at most 1 s.
Usage: `.venv/bin/python -m bench.late_pass [reservations] [days] [late]`.
"""

import os
import statistics
import sys
import uuid
from datetime import UTC, date, datetime, timedelta

import psycopg
from sqlalchemy import text

from bench.issuance import report, timed
from bench.scratch import libpq, scratch_database
from dapp.db import Database
from dapp.issuance.service.windows import late_windows

START = datetime(2026, 6, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
GRACE = timedelta(days=60)
ROUNDS = 5
GOAL_SECONDS = 1.0
REFERENCE = text("""
SELECT res.id, c.device_id, c.period_start, c.period_end
FROM reservation res JOIN certificate cert ON cert.reservation_id = res.id
JOIN certified_energy c ON c.certificate_id = cert.id
WHERE coalesce(res.ended_at, res.period_end) > :grace_start
""")


def load(url: str, reservations: int, days: int) -> None:
    developer, buyer = uuid.uuid4(), uuid.uuid4()
    pairs = [(uuid.uuid4(), uuid.uuid4(), uuid.uuid4()) for _ in range(reservations)]  # device, reservation, cert
    with psycopg.connect(libpq(url)) as connection:
        for org, kind in ((developer, "developer"), (buyer, "buyer")):
            connection.execute(
                "INSERT INTO organization (id, name, type, address) VALUES (%s, %s, %s, 'x')", (org, kind, kind)
            )
        copy_devices(connection, developer, pairs)
        _copy_reservations(connection, buyer, pairs, days)
        _copy_reads(connection, pairs, days)
        _copy_certificates(connection, buyer, pairs, days)
        connection.execute("ANALYZE")


def copy_devices(connection: psycopg.Connection, developer: uuid.UUID, pairs: list) -> None:
    columns = "id, organization_id, external_id, country_code, commissioning_date, capacity_kw, fuel_code, "
    columns += "device_type_code, timezone, onboarded_at"
    with connection.cursor().copy(f"COPY device ({columns}) FROM STDIN") as copy:
        for i, (device, _, _) in enumerate(pairs):
            copy.write_row((device, developer, f"D{i}", "KEN", date(2025, 1, 1), 5, "ES100", "TC120", "UTC", START))


def _copy_reservations(connection: psycopg.Connection, buyer: uuid.UUID, pairs: list, days: int) -> None:
    issued_until, end = START + timedelta(days=days), START + timedelta(days=365)
    columns = "id, buyer_organization_id, name, period_start, period_end, frequency, timezone, authority_to_exceed,"
    columns += " standard, wallet_address, issued_until, created_at"
    with connection.cursor().copy(f"COPY reservation ({columns}) FROM STDIN") as copy:
        for i, (_, reservation, _) in enumerate(pairs):
            row = (reservation, buyer, f"R{i}", START, end, "daily", "UTC", True, "D-REC", "0x" + "11" * 20)
            copy.write_row((*row, issued_until, START))
    with connection.cursor().copy(
        "COPY reservation_device (id, reservation_id, device_id, active_from, active_until) FROM STDIN"
    ) as copy:
        for device, reservation, _ in pairs:
            copy.write_row((uuid.uuid4(), reservation, device, START, end))


def _copy_reads(connection: psycopg.Connection, pairs: list, days: int) -> None:
    columns = "device_id, read_type, status, period_start, period_end, value_wh, energy_wh, rule_version, received_at"
    with connection.cursor().copy(f"COPY meter_read ({columns}) FROM STDIN") as copy:
        for device, _, _ in pairs:
            for n in range(24 * days):
                start = START + n * HOUR
                energy = 400 if 6 <= n % 24 < 18 else 0
                copy.write_row(
                    (device, "delta", "accepted", start, start + HOUR, energy, energy, "max-energy/1", start)
                )


def _copy_certificates(connection: psycopg.Connection, buyer: uuid.UUID, pairs: list, days: int) -> None:
    end = START + timedelta(days=days)
    columns = "id, reservation_id, beneficiary_organization_id, window_start, window_end, country_code, volume_wh,"
    columns += " generation_start, generation_end, owner_address, certificate_key, token_id, contributions_root,"
    columns += " rule_versions, status, created_at"
    with connection.cursor().copy(f"COPY certificate ({columns}) FROM STDIN") as copy:
        for i, (_, reservation, certificate) in enumerate(pairs):
            key = f"0x{i:064x}"
            row = (certificate, reservation, buyer, START, end, "KEN", 4_800 * days, START, end, "0x" + "11" * 20)
            copy.write_row((*row, key, str(i), key, '["max-energy/1"]', "minted", end))
    with connection.cursor().copy(
        "COPY certified_energy (certificate_id, device_id, period_start, period_end, energy_wh) FROM STDIN"
    ) as copy:
        for device, _, certificate in pairs:
            copy.write_row((certificate, device, START, end, 4_800 * days))


# Some devices' last 12 hours (06:00-18:00 hold energy) lose their certified range and are noted as late.
MAKE_LATE = text("""
WITH late AS (
    UPDATE certified_energy SET period_end = period_end - interval '12 hours'
    WHERE device_id IN (SELECT id FROM device ORDER BY external_id LIMIT :devices)
    RETURNING device_id, period_end
)
INSERT INTO late_energy (device_id, period_start, period_end)
SELECT device_id, period_end, period_end + interval '12 hours' FROM late
""")


def rounds(db: Database, now: datetime, expected: int) -> list[float]:
    """ROUNDS passes, each asserted to find `expected` windows (nothing is certified, so each finds them again)."""
    times = []
    for _ in range(ROUNDS):
        with db.sessions() as session:
            found: list = []
            times.append(timed(lambda s=session, f=found: f.extend(late_windows(s, now, GRACE))))
            assert len(found) == expected, f"{len(found)} windows found late where {expected} are"
    return times


def main() -> None:
    reservations = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    late = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    with scratch_database() as url:
        load(url, reservations, days)
        db = Database(url)
        now = START + timedelta(days=days, hours=6)
        reference = []
        for _ in range(ROUNDS):
            with db.engine.connect() as connection:
                reference.append(timed(lambda c=connection: c.execute(REFERENCE, {"grace_start": now - GRACE}).all()))
        ours = rounds(db, now, 0)
        with db.sessions() as session, session.begin():
            session.execute(MAKE_LATE, {"devices": late})
        some_late = rounds(db, now, late)
        print(f"{reservations:,} reservations × {24 * days} hourly reads; load {os.getloadavg()}")
        report("certified ranges", reference)
        report("late_windows, nothing late", ours)
        report(f"late_windows, {late} late", some_late)
        median = statistics.median(ours)
        print(f"worst round {max(ours):.3f} s; ratio {median / statistics.median(reference):.2f}")
        print(f"pass median {median:.3f} s (goal ≤ {GOAL_SECONDS} s) {'ok' if median <= GOAL_SECONDS else 'OVER'}")
        db.dispose()


if __name__ == "__main__":
    main()
