"""R-NF-6: a filtered, sorted page of My devices with 100,000 devices in the database, served in ≤ 50 ms (p95).

Creates a scratch database on the server at TEST_DATABASE_URL (default: the machine's PostgreSQL), makes a
developer organization (with an API key) and a buyer through the services, loads the devices with COPY (plus
20,000 devices of another organization) and reserves 5 % of them. Then, for several filter combinations, it
times GET /api/v1/devices in the application (server time: from the app's first request hook to its last,
so authentication, filters, count, page, serialisation) against the bare SQL of the same two statements (count
and page) on the same database, and prints p50/p95 of both, the ratio of the medians and each statement's plan.
Usage: `.venv/bin/python -m bench.device_list [devices]` (REDIS_URL chooses the Redis, default db 5).
"""

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
from flask import Flask, g
from sqlalchemy import func, select

from bench.scratch import libpq, scratch_database
from dapp import codes, platform
from dapp.app import create_app
from dapp.devices.service import listing
from dapp.models.accounts import OrganizationType
from dapp.models.devices import Device
from dapp.settings import Settings

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
COUNTRIES = [
    ("KEN", "Africa/Nairobi"),
    ("NGA", "Africa/Lagos"),
    ("IND", "Asia/Kolkata"),
    ("GHA", "Africa/Accra"),
    ("UGA", "Africa/Kampala"),
    ("TZA", "Africa/Dar_es_Salaam"),
    ("RWA", "Africa/Kigali"),
    ("ZMB", "Africa/Lusaka"),
    ("BGD", "Asia/Dhaka"),
    ("SEN", "Africa/Dakar"),
]
QUERIES = {
    "newest first, page 1": "",
    "country + capacity range, by commissioning date": "country=KEN&capacity_min=5&capacity_max=50"
    "&sort=commissioning_date&order=desc",
    "SDG any-of + device type, by capacity": "sdg=SDG4&sdg=SDG13&device_type=TC110&sort=capacity_kw&order=asc",
    "off-taker + commissioned 2020-2022, page 20": "off_taker=School&commissioned_from=2020-01-01"
    "&commissioned_to=2022-12-31&sort=external_id&order=asc&page=20",
    "unreserved, KEN/NGA, by onboarding": "reservation=unreserved&country=KEN&country=NGA",
}
RUNS = 200
WARM_UP = 10
GOAL_MS = 50.0


@contextmanager
def bench_app() -> Iterator[tuple[Flask, str]]:
    """The application on a migrated scratch database (dropped afterwards); yields it and the database URL."""
    with scratch_database() as url, tempfile.TemporaryDirectory() as var:
        settings = Settings(
            _env_file=None,
            database_url=url,
            redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5"),
            var_dir=Path(var),
            base_url="http://bench",
        )
        app = create_app(settings)
        platform.current().clock.set(NOW)
        try:
            yield app, url
        finally:
            platform.current().clock.reset()
            platform.current().db.dispose()


def copy_devices(url: str, organization_id: uuid.UUID, count: int, seed: int, prefix: str = "D") -> None:
    """`count` varied devices of one organization, by COPY."""
    rng = random.Random(seed)  # noqa: S311 - varied test data, not secrets
    columns = (
        "id, organization_id, external_id, project_name, country_code, commissioning_date, capacity_kw, fuel_code,"
        " device_type_code, off_taker, device_description, sdg_benefits, grid_interconnection, energy_storage,"
        " latitude, longitude, timezone, onboarded_at"
    )
    sdgs, types = list(codes.SDGS), list(codes.DEVICE_TYPES)
    with (
        psycopg.connect(libpq(url)) as connection,
        connection.cursor().copy(f"COPY device ({columns}) FROM STDIN") as copy,
    ):
        for n in range(count):
            country, zone = rng.choice(COUNTRIES)
            copy.write_row(
                (
                    uuid.uuid4(),
                    organization_id,
                    f"{prefix}{n:06d}",
                    f"Project {n % 500}",
                    country,
                    date(2015, 1, 1) + timedelta(days=rng.randrange(4000)),
                    round(rng.uniform(0.1, 500), 3),
                    "ES100",
                    rng.choice(types),
                    rng.choice(codes.OFF_TAKERS),
                    rng.choice(codes.DEVICE_DESCRIPTIONS),
                    sorted(rng.sample(sdgs, rng.randrange(4)), key=lambda c: int(c[3:])),
                    rng.random() < 0.3,
                    False,
                    round(rng.uniform(-30, 30), 6),
                    round(rng.uniform(-20, 90), 6),
                    zone,
                    NOW - timedelta(minutes=rng.randrange(2_000_000)),
                )
            )


def reserve_some(url: str, organization_id: uuid.UUID, share: float) -> None:
    """A buyer's reservation holding `share` of the organization's devices (through the reservation service)."""
    from tests.factories.accounts import make_org
    from tests.factories.reservations import make_reservation

    buyer = make_org("Bench Buyer", OrganizationType.BUYER)
    with platform.current().db.unit_of_work() as session:
        devices = session.scalars(
            select(Device).where(Device.organization_id == organization_id).order_by(func.random())
        ).all()
    chosen = devices[: int(len(devices) * share)]
    make_reservation(buyer, chosen, NOW - timedelta(days=1), NOW + timedelta(days=30), name="bench")
    with psycopg.connect(libpq(url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def server_timer(app: Flask) -> list[float]:
    """Seconds each request spent inside the application, from the first hook to the last."""
    spent: list[float] = []

    @app.before_request
    def _start() -> None:
        g.bench_started = time.perf_counter()

    @app.teardown_request
    def _stop(_error: BaseException | None) -> None:
        spent.append(time.perf_counter() - g.bench_started)

    return spent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def statements(organization_id: uuid.UUID, args: str):
    from urllib.parse import parse_qsl

    from werkzeug.datastructures import MultiDict

    pairs = MultiDict(parse_qsl(args))
    page = int(pairs.pop("page", "1"))
    query = listing.parse_query(pairs)
    page_statement = listing.filtered(organization_id, query, NOW).limit(50).offset((page - 1) * 50)
    count = select(func.count()).select_from(listing.filtered(organization_id, query, NOW).order_by(None).subquery())
    return count, page_statement


def run(app: Flask, organization_id: uuid.UUID, api_key: str) -> None:
    spent = server_timer(app)
    client = app.test_client()
    engine = platform.current().db.engine
    print(
        f"{'query':<48} {'app p50':>8} {'app p95':>8} {'SQL p50':>8} {'SQL p95':>8} {'ratio':>6}"
        f"  goal p95 ≤ {GOAL_MS:.0f} ms"
    )
    plans = []
    for label, args in QUERIES.items():
        path = f"/api/v1/devices?{args}" if args else "/api/v1/devices"
        headers = {"Authorization": f"Bearer {api_key}"}
        for _ in range(WARM_UP):
            assert client.get(path, headers=headers).status_code == 200
        spent.clear()
        for _ in range(RUNS):
            client.get(path, headers=headers)
        ours = [s * 1000 for s in spent]
        count, page = statements(organization_id, args)
        bare = []
        with engine.connect() as connection:
            connection.exec_driver_sql("SET plan_cache_mode = force_custom_plan")  # as list_page does
            for _ in range(WARM_UP):
                connection.execute(count).scalar(), connection.execute(page).all()
            for _ in range(RUNS):
                started = time.perf_counter()
                connection.execute(count).scalar()
                connection.execute(page).all()
                bare.append((time.perf_counter() - started) * 1000)
            plans.append((label, explain(connection, page), explain(connection, count)))
        p95 = percentile(ours, 0.95)
        verdict = "ok" if p95 <= GOAL_MS else "OVER"
        print(
            f"{label:<48} {statistics.median(ours):>7.1f}m {p95:>7.1f}m {statistics.median(bare):>7.1f}m "
            f"{percentile(bare, 0.95):>7.1f}m {statistics.median(ours) / statistics.median(bare):>6.2f}  {verdict}"
        )
    for label, page_plan, count_plan in plans:
        print(f"\n-- {label}\n   page : {page_plan}\n   count: {count_plan}")


def explain(connection, statement) -> str:
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    lines = [
        row[0] for row in connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + compiled.string, compiled.params)
    ]
    scans = [line.strip().split("  (")[0].lstrip("-> ") for line in lines if "Scan" in line]
    timing = next((line.strip() for line in lines if line.startswith("Execution Time")), "")
    return f"{'; '.join(scans)}  [{timing}]"


def main() -> None:
    from tests.factories.accounts import make_org

    devices = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with bench_app() as (app, url):
        developer = make_org("Bench Developer")
        neighbour = make_org("Bench Neighbour")
        started = time.perf_counter()
        copy_devices(url, developer.actor.organization_id, devices, seed=1)
        copy_devices(url, neighbour.actor.organization_id, devices // 5, seed=2)
        reserve_some(url, developer.actor.organization_id, 0.05)
        print(
            f"loaded {devices:,} devices (+{devices // 5:,} of another organization, 5 % reserved) "
            f"in {time.perf_counter() - started:.1f} s; {RUNS} requests per query, page size 50\n"
        )
        run(app, developer.actor.organization_id, developer.api_key)


if __name__ == "__main__":
    main()
