"""The buyers' device catalogue (R-RES-2) on 100,000 + 20,000 devices of two developers, 5 % reserved.

For a few filter and grouping combinations it times, in the application (server time, from the first request hook
to the last), the two requests the catalogue page makes — the page of devices (`GET /api/v1/device-catalogue`) and
the groups with their expected energy (`GET /api/v1/device-catalogue/groups`) — against the bare SQL of the same
page and the same group totals over the filtered devices, *without* the reservability check, the organization
names, authentication and serialisation (the reference). Prints p50/p95 of each, the ratio of medians (page +
groups over bare SQL) and the plans of our statements.
Usage: `.venv/bin/python -m bench.catalogue [devices]` (REDIS_URL chooses the Redis, default db 7).
"""

import os
import statistics
import sys
import time
from decimal import Decimal
from urllib.parse import parse_qsl

from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from werkzeug.datastructures import MultiDict

from bench.device_list import bench_app, copy_devices, explain, percentile, reserve_some, server_timer
from dapp import platform
from dapp.models.devices import Device
from dapp.reservations.params import parse_query
from dapp.reservations.schemas import CatalogueQuery
from dapp.reservations.service.availability import reservable_devices_query
from dapp.reservations.service.catalogue import GROUP_COLUMNS, device_conditions, grouped, totals_columns, with_yields

os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
QUERIES = {
    "everything, page 1": "",
    "country KEN + capacity 5-50 kW": "country=KEN&capacity_min=5&capacity_max=50",
    "SDG any-of, grouped by country": "sdg=SDG4&sdg=SDG13&group_by=country",
    "off-taker, grouped by type + capacity, page 5": "off_taker=School&group_by=device_type,capacity&page=5",
}
RUNS = 100
WARM_UP = 5
SIZE = 100
DEFAULT_YIELD = Decimal(2000)


def timed_requests(app: Flask, spent: list[float], path: str, key: str) -> list[float]:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    for _ in range(WARM_UP):
        assert client.get(path, headers=headers).status_code == 200
    spent.clear()
    for _ in range(RUNS):
        client.get(path, headers=headers)
    return [s * 1000 for s in spent]


def bare_sql(connection: Connection, args: str) -> list[float]:
    """The same page and the same group totals over the filtered devices, without the reservability check."""
    query = parse_query(CatalogueQuery, MultiDict(parse_qsl(args)))
    devices = with_yields(select(Device).where(*device_conditions(query)))
    order = [GROUP_COLUMNS[g] for g in query.group_by] + [Device.country_code, Device.external_id, Device.id]
    page = devices.order_by(*order).limit(SIZE).offset((query.page - 1) * SIZE)
    totals = (
        grouped(devices, query.group_by, DEFAULT_YIELD)
        if query.group_by
        else devices.with_only_columns(*totals_columns(DEFAULT_YIELD))
    )
    timings = []
    for n in range(WARM_UP + RUNS):
        started = time.perf_counter()
        connection.execute(page).all()
        connection.execute(totals).all()
        if n >= WARM_UP:
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def run(app: Flask, key: str) -> None:
    spent = server_timer(app)
    print(f"{'query':<46} {'page p50/p95':>13} {'groups p50/p95':>15} {'SQL p50/p95':>12} {'ratio':>6}")
    plans = []
    for label, args in QUERIES.items():
        suffix = f"?{args}&size={SIZE}" if args else f"?size={SIZE}"
        listing = timed_requests(app, spent, f"/api/v1/device-catalogue{suffix}", key)
        groups = timed_requests(app, spent, f"/api/v1/device-catalogue/groups{suffix}", key)
        with platform.current().db.engine.connect() as connection:
            bare = bare_sql(connection, args)
            query = parse_query(CatalogueQuery, MultiDict(parse_qsl(args)))
            ours = with_yields(
                reservable_devices_query(platform.current().clock.now()).where(*device_conditions(query))
            )
            order = [GROUP_COLUMNS[g] for g in query.group_by] + [Device.country_code, Device.external_id, Device.id]
            page_plan = explain(connection, ours.order_by(*order).limit(SIZE).offset((query.page - 1) * SIZE))
            count_plan = explain(connection, select(func.count()).select_from(ours.subquery()))
            plans.append((label, f"page: {page_plan}\n   count: {count_plan}"))
        total = statistics.median(listing) + statistics.median(groups)
        print(
            f"{label:<46} {statistics.median(listing):>5.1f}/{percentile(listing, 0.95):<5.1f}ms "
            f"{statistics.median(groups):>6.1f}/{percentile(groups, 0.95):<6.1f}ms "
            f"{statistics.median(bare):>4.1f}/{percentile(bare, 0.95):<5.1f}ms {total / statistics.median(bare):>6.2f}"
        )
    for label, plan in plans:
        print(f"\n-- {label}: {plan}")


def main() -> None:
    from dapp.models.accounts import OrganizationType
    from tests.factories.accounts import make_org

    devices = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with bench_app() as (app, url):
        developer, neighbour = make_org("Bench Developer"), make_org("Bench Neighbour")
        buyer = make_org("Catalogue Buyer", OrganizationType.BUYER)
        copy_devices(url, developer.actor.organization_id, devices, seed=1)
        copy_devices(url, neighbour.actor.organization_id, devices // 5, seed=2, prefix="N")
        reserve_some(url, developer.actor.organization_id, 0.05)
        with platform.current().db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        print(f"{devices:,} + {devices // 5:,} devices, 5 % reserved; {RUNS} requests per query, {SIZE} a page\n")
        run(app, buyer.api_key)


if __name__ == "__main__":
    main()
