"""Growth curves of the device lists (issue 21, item 3): My devices (R-NF-6) and the buyers' catalogue (R-RES-2)
with more and more devices stored, up to 1 M; goal p95 ≤ 50 ms at the largest size, and growth ≤ 1.25×.

One scratch database (created on the server at TEST_DATABASE_URL, migrated, dropped) grows from size to size:
PostgreSQL writes the devices itself (`generate_series`, varied countries, capacities, types, off-takers, SDGs,
dates), four in five of one developer and one in five of another, and one buyer's reservation holds one device
in twenty. At each size, in the application (in process, server time from its first request hook to its last),
ROUNDS rounds of REQUESTS requests of each query of `bench.device_list` (the developer's list) and of
`bench.catalogue` (the catalogue's page and its groups, as the buyer), after an untimed warm-up; each round's
figure is its p95. The reference measured in the same rounds is one device by its id (`GET
/api/v1/devices/{id}`), whose cost does not depend on how many devices there are: where it moves, the machine's
load moved it.
Usage: `.venv/bin/python -m bench.growth_devices [--sizes 10k,100k,1M] [--rounds 5] [--requests 20]`.
Filling ran at about 5,000 devices/s here (1 M in 3–6 minutes under load, ~1 GB with its indexes); at 1 M the
catalogue's groups take seconds a request, so `--requests 10` keeps a round to a few minutes.
"""

import os
import time
import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from bench import catalogue, device_list
from bench.curves import RESULTS, Curve, arguments, load_average, report
from bench.device_list import COUNTRIES, NOW, bench_app, percentile, server_timer
from bench.readstack import REDIS
from dapp import codes, platform
from dapp.models.accounts import OrganizationType
from tests.support.isolation import own_redis_database

WARM_UP = 3
GOAL_MS = 50.0
# Devices numbered from :first to :last; number n belongs to the neighbour when n % 5 = 0. Every value is drawn
# with random() (the session's seed is set first, so that every run stores the same devices).
ADD_DEVICES = text("""
INSERT INTO device (id, organization_id, external_id, project_name, country_code, commissioning_date, capacity_kw,
                    fuel_code, device_type_code, off_taker, device_description, sdg_benefits, grid_interconnection,
                    energy_storage, latitude, longitude, timezone, onboarded_at)
SELECT gen_random_uuid(), CASE WHEN n % 5 = 0 THEN :neighbour ELSE :developer END, 'D' || lpad(n::text, 7, '0'),
       'Project ' || n % 500, (CAST(:countries AS varchar[]))[c.k], DATE '2015-01-01' + (random() * 4000)::int,
       round((0.1 + random() * 499.9)::numeric, 3), 'ES100',
       (CAST(:types AS varchar[]))[1 + floor(random() * cardinality(CAST(:types AS varchar[])))::int],
       (CAST(:off_takers AS varchar[]))[1 + floor(random() * cardinality(CAST(:off_takers AS varchar[])))::int],
       (CAST(:descriptions AS varchar[]))[1 + floor(random() * cardinality(CAST(:descriptions AS varchar[])))::int],
       ARRAY(SELECT s FROM unnest(CAST(:sdgs AS varchar[])) WITH ORDINALITY AS u(s, o)
             WHERE random() < 0.08 AND n > 0 ORDER BY o),
       random() < 0.3, false, round((random() * 60 - 30)::numeric, 6), round((random() * 110 - 20)::numeric, 6),
       (CAST(:zones AS varchar[]))[c.k], :now - make_interval(mins => floor(random() * 2000000)::int)
FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS n
CROSS JOIN LATERAL (SELECT 1 + (n * 7 + floor(random() * 3)::int) % cardinality(CAST(:countries AS varchar[])) AS k
                    WHERE n > 0) AS c
""")
RESERVE = text("""
INSERT INTO reservation_device (id, reservation_id, device_id, active_from, active_until)
SELECT gen_random_uuid(), :reservation, id, :now - interval '1 day', :now + interval '30 days'
FROM device WHERE organization_id = :developer AND substr(external_id, 2)::int BETWEEN :first AND :last
                  AND substr(external_id, 2)::int % 20 = 1
""")
ADD_RESERVATION = text("""
INSERT INTO reservation (id, buyer_organization_id, name, period_start, period_end, frequency, timezone,
                         authority_to_exceed, standard, wallet_address, issued_until, created_at)
VALUES (:id, :buyer, 'growth', :now - interval '1 day', :now + interval '30 days', 'daily', 'UTC', true, 'D-REC',
        '0x1111111111111111111111111111111111111111', :now - interval '1 day', :now - interval '1 day')
""")


def grow(first: int, last: int, orgs: dict[str, uuid.UUID], reservation: uuid.UUID) -> float:
    """Devices number `first` to `last`, one in twenty of the developer's reserved; the seconds it took."""
    started = time.perf_counter()
    db = platform.current().db
    with db.unit_of_work() as session:
        session.execute(text("SELECT setseed(:seed)"), {"seed": (first % 1000) / 1000})
        session.execute(
            ADD_DEVICES,
            {
                "first": first,
                "last": last,
                "now": NOW,
                **orgs,
                "types": list(codes.DEVICE_TYPES),
                "off_takers": list(codes.OFF_TAKERS),
                "descriptions": list(codes.DEVICE_DESCRIPTIONS),
                "sdgs": list(codes.SDGS),
                "countries": [c for c, _ in COUNTRIES],
                "zones": [z for _, z in COUNTRIES],
            },
        )
        session.execute(RESERVE, {"first": first, "last": last, "now": NOW, "reservation": reservation, **orgs})
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


class Lists:
    """The timed requests: each round's p95 per query, in milliseconds of server time."""

    def __init__(self, app: Flask, developer_key: str, buyer_key: str) -> None:
        self.client: FlaskClient = app.test_client()
        self.spent = server_timer(app)
        self.developer = {"Authorization": f"Bearer {developer_key}"}
        self.buyer = {"Authorization": f"Bearer {buyer_key}"}

    def paths(self, reference: str) -> dict[str, tuple[str, dict[str, str]]]:
        found = {"reference: one device by id": (f"/api/v1/devices/{reference}", self.developer)}
        for label, args in device_list.QUERIES.items():
            found[f"list: {label}"] = (f"/api/v1/devices?{args}", self.developer)
        for label, args in catalogue.QUERIES.items():
            suffix = f"?{args}&size={catalogue.SIZE}" if args else f"?size={catalogue.SIZE}"
            found[f"catalogue: {label}"] = (f"/api/v1/device-catalogue{suffix}", self.buyer)
            found[f"catalogue groups: {label}"] = (f"/api/v1/device-catalogue/groups{suffix}", self.buyer)
        return found

    def p95(self, path: str, headers: dict[str, str], requests: int) -> float:
        for _ in range(WARM_UP):
            response = self.client.get(path, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        self.spent.clear()
        for _ in range(requests):
            self.client.get(path, headers=headers)
        return percentile([s * 1000 for s in self.spent], 0.95)


def main() -> None:
    from tests.factories.accounts import make_org

    parser = arguments(__doc__.split("\n")[0], "10k,100k,1M")
    parser.add_argument("--requests", type=int, default=20, help="requests of each query in a round")
    args = parser.parse_args()
    curves: dict[str, Curve] = {}
    with own_redis_database(REDIS) as redis_url:
        os.environ["REDIS_URL"] = redis_url
        with bench_app() as (app, _url):
            developer, neighbour = make_org("Growth Developer"), make_org("Growth Neighbour")
            buyer = make_org("Growth Buyer", OrganizationType.BUYER)
            orgs = {"developer": developer.actor.organization_id, "neighbour": neighbour.actor.organization_id}
            reservation = uuid.uuid4()
            with platform.current().db.unit_of_work() as session:
                session.execute(ADD_RESERVATION, {"id": reservation, "buyer": buyer.actor.organization_id, "now": NOW})
            lists, stored = Lists(app, developer.api_key, buyer.api_key), 0
            for size in args.sizes:
                seconds = grow(stored + 1, size, orgs, reservation)
                print(
                    f"{size:,} devices stored ({size - stored:,} added in {seconds:.0f} s); {load_average()}",
                    flush=True,
                )
                stored = size
                paths = lists.paths("D0000001")
                for _ in range(args.rounds):
                    for name, (path, headers) in paths.items():
                        curves.setdefault(name, Curve(name, "ms")).add(size, lists.p95(path, headers, args.requests))
                over = [c.name for c in curves.values() if c.median(size) > GOAL_MS]
                print(
                    f"  p95 over {GOAL_MS:.0f} ms (median of rounds): {', '.join(over) or 'none'}; {load_average()}",
                    flush=True,
                )
    report(
        f"Devices stored -> p95 of each request (ms, server time; goal ≤ {GOAL_MS:.0f} ms and growth ≤ 1.25x)",
        list(curves.values()),
        RESULTS / "growth_devices.png",
    )


if __name__ == "__main__":
    main()
