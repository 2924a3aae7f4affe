"""R-NF-7: a 10,000-row device CSV processed in ≤ 10 s, against a raw COPY of the same rows in the same run.

On a scratch database (see bench.device_list), for each of three runs and a fresh organization each time:
- ours: `bulk.start` (the up-front file checks and the content store) and the whole job
  (`process_upload_job`: every row judged, time zones looked up, devices inserted, the job log written);
- reference: COPY of the same 10,000 devices, already typed, into the device table.
Prints rows/s and seconds of both (medians), and the ratio.
Usage: `.venv/bin/python -m bench.bulk_upload [rows]` (REDIS_URL chooses the Redis, default db 5).
"""

import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta

import psycopg
from sqlalchemy import func, select

from bench.device_list import COUNTRIES, NOW, bench_app
from bench.scratch import libpq
from dapp import codes, platform
from dapp.devices.bulk import service as bulk
from dapp.devices.bulk import template
from dapp.devices.jobs import process_upload_job
from dapp.models.devices import Device
from tests.factories.accounts import make_org
from tests.factories.devices import csv_bytes

RUNS = 3
GOAL_SECONDS = 10.0
PLACES = {
    "KEN": (-1.29, 36.82),
    "NGA": (9.06, 7.49),
    "IND": (19.07, 72.88),
    "GHA": (5.6, -0.19),
    "UGA": (0.35, 32.58),
    "TZA": (-6.79, 39.21),
    "RWA": (-1.95, 30.06),
    "ZMB": (-15.39, 28.32),
    "BGD": (23.81, 90.41),
    "SEN": (14.72, -17.47),
}


def rows(count: int) -> list[dict[str, str]]:
    """Valid, varied rows with every column (coordinates near each country's capital)."""
    rng = random.Random(7)  # noqa: S311 - varied test data, not secrets
    result = []
    for n in range(count):
        country = rng.choice(COUNTRIES)[0]
        lat, lon = PLACES[country]
        storage = rng.random() < 0.3
        result.append(
            {
                "external_id": f"B{n:05d}",
                "country_code": country,
                "commissioning_date": str(date(2018, 1, 1) + timedelta(days=rng.randrange(2500))),
                "capacity_kw": f"{rng.uniform(0.1, 200):.3f}",
                "fuel_code": "ES100",
                "device_type_code": rng.choice(list(codes.DEVICE_TYPES)),
                "project_name": f"Project {n % 40}",
                "off_taker": rng.choice(codes.OFF_TAKERS),
                "device_description": rng.choice(codes.DEVICE_DESCRIPTIONS),
                "impact_story": "Light for evening study.",
                "sdg_benefits": ";".join(sorted(rng.sample(list(codes.SDGS), 2))),
                "address": f"Plot {n}",
                "quality_labels": "Lighting Global",
                "grid_interconnection": rng.choice(["yes", "no"]),
                "energy_storage": "yes" if storage else "no",
                "energy_storage_capacity_kwh": f"{rng.uniform(0, 20):.3f}" if storage else "",
                "latitude": f"{lat + rng.uniform(-0.2, 0.2):.6f}",
                "longitude": f"{lon + rng.uniform(-0.2, 0.2):.6f}",
                "timezone": "",
                "yield_kwh_per_kwp": "",
            }
        )
    return result


def ours(data: bytes, run: int) -> float:
    org = make_org(f"Bulk Bench {run}")
    p = platform.current()
    started = time.perf_counter()
    with p.db.unit_of_work() as session:
        upload = bulk.start(session, org.actor, NOW, p.content, "bench.csv", data)
    process_upload_job(str(upload.id))
    elapsed = time.perf_counter() - started
    with p.db.unit_of_work() as session:
        counts = bulk.counts(session, upload.id)
        assert counts.success == upload.row_count, counts
    return elapsed


def reference(url: str, data: list[dict[str, str]], run: int) -> float:
    """COPY of the same devices, already typed (the fastest way PostgreSQL takes them)."""
    org = make_org(f"Copy Bench {run}")
    typed = [_typed(row, org.actor.organization_id) for row in data]
    columns = ", ".join(typed[0])
    started = time.perf_counter()
    with (
        psycopg.connect(libpq(url)) as connection,  # commits on leaving: the commit is timed too
        connection.cursor().copy(f"COPY device ({columns}) FROM STDIN") as copy,
    ):
        for row in typed:
            copy.write_row(list(row.values()))
    elapsed = time.perf_counter() - started
    with platform.current().db.unit_of_work() as session:
        stored = session.scalar(
            select(func.count()).select_from(Device).where(Device.organization_id == org.actor.organization_id)
        )
        assert stored == len(data)
    return elapsed


def _typed(row: dict[str, str], organization_id: uuid.UUID) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "organization_id": organization_id,
        **{
            k: (v or None)
            for k, v in row.items()
            if k not in ("sdg_benefits", "grid_interconnection", "energy_storage")
        },
        "sdg_benefits": row["sdg_benefits"].split(";"),
        "grid_interconnection": row["grid_interconnection"] == "yes",
        "energy_storage": row["energy_storage"] == "yes",
        "timezone": "UTC",
        "onboarded_at": NOW,
    }


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    data = rows(count)
    file = csv_bytes(data, template.NAMES)
    with bench_app() as (_app, url):
        ours_s, copy_s = [], []
        for run in range(RUNS):
            ours_s.append(ours(file, run))
            copy_s.append(reference(url, data, run))
        mine, bare = statistics.median(ours_s), statistics.median(copy_s)
        print(f"{count:,} rows, {len(file):,} bytes; {RUNS} runs each, fresh organization per run")
        print(
            f"bulk upload (checks + IPFS + job): median {mine:.2f} s = {count / mine:,.0f} rows/s  "
            f"(runs {', '.join(f'{t:.2f}' for t in ours_s)})"
        )
        print(
            f"raw COPY of the same rows:         median {bare:.2f} s = {count / bare:,.0f} rows/s  "
            f"(runs {', '.join(f'{t:.2f}' for t in copy_s)})"
        )
        verdict = "ok" if mine <= GOAL_SECONDS else "OVER"
        print(f"ratio ours/COPY {mine / bare:.1f}; goal ≤ {GOAL_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
