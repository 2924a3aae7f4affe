"""Growth curves of the read path (issue 21, item 3): the same workload with more and more meter reads stored.

At each size a new scratch database (created on the server at TEST_DATABASE_URL, migrated, dropped) gets
DEVICES 5 kW devices in Nairobi of one developer, then its meter reads, written by PostgreSQL itself
(`generate_series`, no client round trips):

- the *stored history*: the size's reads less the workload's, spread evenly over every device and the MONTHS
  months before the workload's week (each device's reads contiguous, staggered so that every month's partition
  fills alike);
- the *workload's week*: CERTIFIED devices, held by one daily reservation, with hourly reads over the last
  WORKLOAD_DAYS days; the same rows at every size.

Every size's database stays open, and the sizes take turns within each round (in a rotating order), so that
the machine's load falls on all of them alike: the smallest size is the reference measured in the same run. In
the application (in process, server time from its first request hook to its last), the same rounds at every
size — one untimed warm-up round, then ROUNDS timed ones:

- ingestion (R-NF-1's subject): one `POST /api/v1/reads` of 1,000 five-minute reads, one each for 1,000 devices
  of the stored history;
- single reads (R-NF-2's subject): SINGLE `POST /api/v1/devices/{id}/reads` of one read each (median of a round);
- certifying a window (R-NF-3's subject): `certify_window` for one day of the reservation, committed; the round
  asserts that certificates were made;
- the ledger (`GET …/ledger`) and the first page of the reads list (`GET …/reads`) of one device of the
  reservation over the workload's week, as the pages ask for them (median of LOOKUPS requests a round).

Prints each curve (size → median and worst round), its growth from the smallest size to the largest (goal ≤
1.25×) and the load average, and draws them to bench/results/growth_reads.png.
Usage: `.venv/bin/python -m bench.growth_reads [--sizes 100k,316k,1M] [--devices 10000] [--rounds 5]`.
Larger sizes are reachable with `--sizes`: filling ran at 12,000–15,000 reads/s on this machine (two shared
cores under load), so 10 M reads take about 15 minutes to fill (~3 GB per size kept open) and 100 M about three
hours (~30 GB of disk; use `--devices 100000`, and one size at a time if the disk is short).
"""

import os
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from bench.curves import RESULTS, Curve, arguments, load_average, report
from bench.device_list import NOW, bench_app, server_timer
from bench.readstack import REDIS
from dapp import platform
from dapp.issuance.service.certify import certify_window
from dapp.models.accounts import OrganizationType
from dapp.platform import Platform
from tests.support.isolation import own_redis_database

MONTHS = 24
WORKLOAD_DAYS = 6  # the warm-up round's day and five more
CERTIFIED = 200  # devices of the reservation, with hourly reads over the workload's week
BATCH = 1_000
SINGLE = 50
LOOKUPS = 20
# The workload's week ends an hour before the platform's clock (15:00 in Nairobi): reads sent in the rounds end
# in the afternoon, every round the same path (no read flagged at night).
WEEK_END = NOW - timedelta(hours=1)
WEEK_START = WEEK_END - timedelta(days=WORKLOAD_DAYS)
HISTORY_START = WEEK_START - timedelta(days=round(MONTHS * 30.44))

ADD_DEVICES = text("""
INSERT INTO device (id, organization_id, external_id, country_code, commissioning_date, capacity_kw, fuel_code,
                    device_type_code, latitude, longitude, timezone, onboarded_at)
SELECT gen_random_uuid(), :org, 'G' || lpad(n::text, 7, '0'), 'KEN', DATE '2023-01-01', 5, 'ES100', 'TC120',
       -1.2921, 36.8219, 'Africa/Nairobi', :onboarded
FROM generate_series(1, :count) AS n
""")
# Reads of device number n: `per_device` contiguous reads of `step`, the last ending `n / devices` of a step
# before the workload's week (staggered, so that every month holds as many read ends as the next).
ADD_HISTORY = text("""
INSERT INTO meter_read (device_id, read_type, status, period_start, period_end, value_wh, energy_wh,
                        max_energy_wh, rule_version, received_at)
SELECT d.id, 'delta', 'accepted', e - :step, e, 500, 500, 100000, 'max-energy/1', e
FROM generate_series(0, :per_device - 1) AS g
CROSS JOIN LATERAL (
    SELECT id, :week_start - (:per_device - 1 - g) * :step - :step * n / :devices AS e
    FROM (SELECT id, row_number() OVER (ORDER BY external_id) AS n FROM device WHERE organization_id = :org) AS o
) AS d
""")
ADD_WEEK = text("""
INSERT INTO meter_read (device_id, read_type, status, period_start, period_end, value_wh, energy_wh,
                        max_energy_wh, rule_version, received_at)
SELECT d.id, 'delta', 'accepted', e - interval '1 hour', e, 900, 900, 5000, 'max-energy/1', e
FROM generate_series(:week_start + interval '1 hour', :week_end, interval '1 hour') AS e
CROSS JOIN (SELECT id FROM device WHERE organization_id = :org ORDER BY external_id LIMIT :certified) AS d
""")
SET_STATES = text("""
UPDATE device_read_state s SET ongoing_type = 'delta', last_end_at = r.last_end
FROM (SELECT device_id, max(period_end) AS last_end FROM meter_read GROUP BY device_id) AS r
WHERE s.device_id = r.device_id
""")
ADD_RESERVATION = text("""
INSERT INTO reservation (id, buyer_organization_id, name, period_start, period_end, frequency, timezone,
                         authority_to_exceed, standard, wallet_address, issued_until, created_at)
VALUES (:id, :buyer, 'growth', :week_start, :week_start + interval '30 days', 'daily', 'UTC', true, 'D-REC',
        :wallet, :week_start, :week_start)
""")
ADD_MEMBERS = text("""
INSERT INTO reservation_device (id, reservation_id, device_id, active_from, active_until)
SELECT gen_random_uuid(), :id, id, :week_start, :week_start + interval '30 days'
FROM device WHERE organization_id = :org ORDER BY external_id LIMIT :certified
""")


def fill(size: int, devices: int, org: uuid.UUID, buyer: uuid.UUID) -> tuple[uuid.UUID, float]:
    """The size's devices, reads and reservation; returns the reservation and the seconds spent filling."""
    started = time.perf_counter()
    history = max(size - CERTIFIED * WORKLOAD_DAYS * 24, devices)
    per_device = -(-history // devices)
    step = (WEEK_START - HISTORY_START) / per_device
    reservation = uuid.uuid4()
    common = {"org": org, "week_start": WEEK_START, "week_end": WEEK_END, "certified": CERTIFIED}
    db = platform.current().db
    with db.unit_of_work() as session:
        session.execute(ADD_DEVICES, {"org": org, "count": devices, "onboarded": HISTORY_START - timedelta(days=1)})
        session.execute(ADD_HISTORY, {**common, "per_device": per_device, "step": step, "devices": devices})
        session.execute(ADD_WEEK, common)
        session.execute(SET_STATES)
        wallet = "0x" + "11" * 20
        session.execute(ADD_RESERVATION, {**common, "id": reservation, "buyer": buyer, "wallet": wallet})
        session.execute(ADD_MEMBERS, {**common, "id": reservation})
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return reservation, time.perf_counter() - started


class Workload:
    """The rounds of one size, against the application on its filled database."""

    def __init__(self, app: Flask, api_key: str, reservation: uuid.UUID) -> None:
        self.client: FlaskClient = app.test_client()
        self.spent = server_timer(app)
        self.headers = {"Authorization": f"Bearer {api_key}"}
        self.reservation = reservation
        # device numbers: the reservation's first, then the batch's, then the single reads'
        self.batch_devices = [f"G{n:07d}" for n in range(CERTIFIED + 1, CERTIFIED + 1 + BATCH)]
        self.single_devices = [f"G{n:07d}" for n in range(CERTIFIED + BATCH + 1, CERTIFIED + BATCH + 1 + SINGLE)]
        self.ledger_device = "G0000001"

    def _timed(self, method: str, path: str, **kwargs: object) -> tuple[float, dict]:
        self.spent.clear()
        response = self.client.open(path, method=method, headers=self.headers, **kwargs)
        if response.status_code != 200:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        return self.spent[-1] * 1000, response.get_json()

    def ingest(self, end: datetime) -> float:
        read = {"end": end.isoformat(), "value": 40}
        body = {
            "devices": [{"external_id": d, "type": "delta", "unit": "Wh", "reads": [read]} for d in self.batch_devices]
        }
        elapsed, result = self._timed("POST", "/api/v1/reads", json=body)
        if result["rejected"]:
            raise RuntimeError(f"the batch was not accepted whole: {result}")
        return elapsed

    def single(self, end: datetime) -> float:
        body = {"type": "delta", "unit": "Wh", "reads": [{"end": end.isoformat(), "value": 40}]}
        times = []
        for device in self.single_devices:
            elapsed, result = self._timed("POST", f"/api/v1/devices/{device}/reads", json=body)
            if result["rejected"]:
                raise RuntimeError(f"a single read was refused: {result}")
            times.append(elapsed)
        return statistics.median(times)

    def certify(self, day: int) -> float:
        start = WEEK_START + timedelta(days=day)
        db = platform.current().db
        started = time.perf_counter()
        with db.unit_of_work() as session:
            certificates = certify_window(session, self.reservation, start, start + timedelta(days=1), NOW)
        elapsed = (time.perf_counter() - started) * 1000
        certified = sum(c.volume_wh for c in certificates)
        if certified != CERTIFIED * 24 * 900:
            raise RuntimeError(f"day {day}: {len(certificates)} certificates of {certified} Wh")
        return elapsed

    def ledger(self) -> float:
        query = {"from": WEEK_START.isoformat(), "to": WEEK_END.isoformat()}
        path = f"/api/v1/devices/{self.ledger_device}/ledger"
        times = [self._timed("GET", path, query_string=query)[0] for _ in range(LOOKUPS)]
        return statistics.median(times)

    def reads_list(self) -> float:
        query = {"from": WEEK_START.date().isoformat(), "to": WEEK_END.date().isoformat()}
        path = f"/api/v1/devices/{self.ledger_device}/reads"
        times = [self._timed("GET", path, query_string=query)[0] for _ in range(LOOKUPS)]
        return statistics.median(times)


@contextmanager
def filled(size: int, devices: int) -> Iterator[tuple[Workload, Platform]]:
    """A scratch database of `size` reads with its application; yields the workload and the platform to install
    before each of its rounds (every size stays open, so that their rounds can take turns)."""
    from tests.factories.accounts import make_org

    with bench_app() as (app, _url):
        mine = platform.current()
        try:
            developer = make_org("Growth Developer")
            buyer = make_org("Growth Buyer", OrganizationType.BUYER)
            reservation, seconds = fill(size, devices, developer.actor.organization_id, buyer.actor.organization_id)
            print(
                f"{size:,} reads on {devices:,} devices filled in {seconds:.0f} s ({size / seconds:,.0f} reads/s); "
                f"{load_average()}",
                flush=True,
            )
            yield Workload(app, developer.api_key, reservation), mine
        finally:
            platform.install(mine)  # bench_app ends the platform it made


def one_round(work: Workload, n: int) -> dict[str, float]:
    """Round `n` (0: the warm-up) of every figure; each round sends reads five minutes after the last."""
    end = WEEK_END + timedelta(minutes=5 * (n + 1))
    return {
        "ingestion, 1,000 reads": work.ingest(end),
        "single read (median)": work.single(end),
        "certify a day, 200 devices": work.certify(n),
        "ledger of a device's week": work.ledger(),
        "reads list of a device's week": work.reads_list(),
    }


def main() -> None:
    parser = arguments(__doc__.split("\n")[0], "100k,316k,1M")
    parser.add_argument("--devices", type=int, default=10_000, help="devices of the stored history (≥ 1,250)")
    args = parser.parse_args()
    curves: dict[str, Curve] = {}
    with own_redis_database(REDIS) as redis_url, ExitStack() as stack:
        os.environ["REDIS_URL"] = redis_url
        sizes = {size: stack.enter_context(filled(size, args.devices)) for size in args.sizes}
        for n in range(args.rounds + 1):
            # the sizes take turns within a round, in a rotating order: the machine's load falls on all alike
            order = args.sizes[n % len(args.sizes) :] + args.sizes[: n % len(args.sizes)]
            for size in order:
                work, mine = sizes[size]
                platform.install(mine)
                figures = one_round(work, n)
                for name, value in figures.items():
                    if n:  # the first round warms up, untimed
                        curves.setdefault(name, Curve(name, "ms")).add(size, value)
            print(f"round {n} done; {load_average()}", flush=True)
    report(
        "Meter reads stored -> time of the same work (ms, server time)",
        list(curves.values()),
        RESULTS / "growth_reads.png",
    )


if __name__ == "__main__":
    main()
