"""Scale-out with real processes (issue 19 item 6): two web servers, three workers of the queues the Procfile
runs, two schedulers and two indexers share one PostgreSQL database, one Redis and one chain.

A meter gateway sends the reads of 50 devices through both web servers while the platform clock moves hour by
hour; three hourly reservations of a buyer see their windows close; two webhook endpoints of the buyer receive
what happens to it. Every window must be certified once, every certificate minted once, every chain event indexed
once and every webhook delivered once — each checked by a query that looks for the duplicate — and no job may
run twice for the same window.
"""

import itertools
import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select, text

from dapp import metrics, platform
from dapp.chain import contracts
from dapp.models.accounts import OrganizationType
from dapp.models.chain import INDEXER_CHECKPOINT, ChainEvent, IndexerCheckpoint, OutboxEntry, OutboxKind
from dapp.models.issuance import Certificate
from dapp.models.reservations import Reservation
from dapp.models.webhooks import DeliveryStatus, Event, WebhookDelivery
from dapp.settings import Settings
from scripts.devstack import free_port
from tests.chain.test_worker_faults import kill, wait_for
from tests.factories.accounts import Org, make_org
from tests.factories.devices import make_device
from tests.factories.reads import ongoing
from tests.factories.reservations import make_reservation
from tests.support.chain import token
from tests.support.processes import DREC, environment, launch, web_command
from tests.webhooks.receiver import Receiver, running_receiver

DEVICES = 50
RESERVATIONS = 3
HOURS = 4  # hourly windows closed by the platform clock, per reservation
T0 = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)  # 09:00 in Nairobi, where the devices are: daylight for hours
READ_WH = 400  # per device and half hour: plausible for a 5 kW system in the morning sun
ENDPOINTS = ("first", "second")
SUBSCRIBED = ["reservation.created", "certificate.minted"]
# Three workers of every queue the Procfile's workers take, each putting other queues first, so every queue has
# more than one worker and none waits behind the busiest.
QUEUE_ORDERS = (
    ["chain", "webhooks", "default", "bulk", "email"],
    ["webhooks", "chain", "default", "bulk", "email"],
    ["default", "bulk", "email", "chain", "webhooks"],
)
PROCESSES = {
    **{f"worker-{n}": ["worker", *queues] for n, queues in enumerate(QUEUE_ORDERS)},
    **{f"scheduler-{n}": ["scheduler"] for n in range(2)},
    **{f"indexer-{n}": ["indexer"] for n in range(2)},
}
SETTINGS = {
    "scheduler_tick_seconds": "2",
    "indexer_poll_seconds": "0.5",
    "webhooks_allow_private_addresses": "true",
    "web_workers": "1",
    "web_threads": "4",
}
STARTUP_SECONDS = 180  # eleven processes importing the application on a loaded 2-core machine
SETTLE_SECONDS = 240


@dataclass
class Cluster:
    web_urls: list[str]
    processes: dict[str, subprocess.Popen[bytes]]
    logs: Path

    def alive(self) -> dict[str, int | None]:
        return {name: process.poll() for name, process in self.processes.items()}


@pytest.fixture
def cluster(app, settings: Settings, tmp_path: Path) -> Iterator[Cluster]:
    env = environment(settings, **SETTINGS)
    ports = [free_port() for _ in range(2)]
    commands = {f"web-{n}": web_command(port) for n, port in enumerate(ports)}
    commands |= {name: [*DREC, *args] for name, args in PROCESSES.items()}
    started = {name: launch(command, env, tmp_path / f"{name}.log") for name, command in commands.items()}
    try:
        yield Cluster([f"http://127.0.0.1:{port}" for port in ports], started, tmp_path)
    finally:
        for process in started.values():
            kill(process)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def test_two_of_every_process_certify_mint_index_and_deliver_everything_exactly_once(
    app, settings: Settings, cluster: Cluster, receiver: Receiver
) -> None:
    p = platform.current()
    p.clock.set(T0)
    developer = make_org("Scale Developers")
    buyer = make_org("Scale Buyer", OrganizationType.BUYER)
    devices = [make_device(developer, f"SCALE-{n:03}") for n in range(DEVICES)]
    servers = itertools.cycle(cluster.web_urls)
    for url in cluster.web_urls:
        wait_for(lambda u=url: _answers(u), f"{url} answers", STARTUP_SECONDS)
    for name in ENDPOINTS:
        endpoint = {"url": f"http://127.0.0.1:{receiver.port}/{name}", "events": SUBSCRIBED}
        answer = requests.post(f"{next(servers)}/api/v1/webhooks", json=endpoint, headers=buyer.auth, timeout=60)
        assert answer.status_code == 201, answer.text
    reservations = [
        make_reservation(buyer, devices[n::RESERVATIONS], T0, T0 + timedelta(days=1), "hourly", name=f"Scale {n}")
        for n in range(RESERVATIONS)
    ]

    reads = _Gateway(developer, servers)
    for hour in range(HOURS):
        start = T0 + timedelta(hours=hour)
        # Within the clock skew the API allows, the hour's last read ends 4 minutes ahead: its window stays open
        # until the next step, which closes it.
        p.clock.set(start + timedelta(minutes=56))
        reads.send_hour([device.external_id for device in devices], start)
    p.clock.set(T0 + timedelta(hours=HOURS, minutes=1))

    windows = RESERVATIONS * HOURS
    wait_for(lambda: _issued(reservations) == windows, "every window is certified", SETTLE_SECONDS)
    wait_for(lambda: _minted() == windows, "every certificate is minted and indexed", SETTLE_SECONDS)
    expected_deliveries = _events(buyer) * len(ENDPOINTS)
    wait_for(lambda: len(receiver.received) >= expected_deliveries, "every webhook arrives", SETTLE_SECONDS)
    listed = [_certificates(url, buyer) for url in cluster.web_urls]

    figures = {
        "reads sent": reads.sent,
        "read requests": reads.posts,
        "windows": windows,
        "certificates": _count(select(func.count()).select_from(Certificate)),
        "chain events": _count(select(func.count()).select_from(ChainEvent)),
        "webhooks": len(receiver.received),
        "window jobs": _jobs_run("issuance.certify_window"),
        "duplicates": _duplicates(settings, receiver),
    }
    print("scale-out figures:", json.dumps(figures))
    assert reads.odd == []
    assert listed[0] == listed[1], "the web servers disagree"
    assert len(listed[0]) == windows
    assert figures["certificates"] == windows
    assert figures["webhooks"] == expected_deliveries
    assert figures["duplicates"] == dict.fromkeys(figures["duplicates"], 0)
    assert figures["window jobs"] == windows, "a window was certified by two jobs"
    assert all(code is None for code in cluster.alive().values()), cluster.alive()


@dataclass
class _Gateway:
    """A meter gateway: each device's reads of an hour (two half hours; a baseline first) in one request, through
    the web servers in turn."""

    org: Org
    servers: Iterator[str]
    sent: int = 0
    posts: int = 0

    def __post_init__(self) -> None:
        self.odd: list[str] = []

    def send_hour(self, external_ids: list[str], start: datetime) -> None:
        baseline = [(start + timedelta(minutes=5), 0)] if start == T0 else []
        halves = [(start + timedelta(minutes=30), READ_WH), (start + timedelta(hours=1), READ_WH)]
        body = ongoing("delta", *baseline, *halves)
        targets = [(next(self.servers), external_id) for external_id in external_ids]
        with ThreadPoolExecutor(4) as pool:
            for answer in pool.map(lambda target: self._post(*target, body), targets):
                self.posts += 1
                if answer.status_code != 200 or answer.json()["accepted"] != len(body["reads"]):
                    self.odd.append(f"{answer.status_code} {answer.text[:300]}")
                self.sent += len(body["reads"])

    def _post(self, server: str, external_id: str, body: dict) -> requests.Response:
        url = f"{server}/api/v1/devices/{external_id}/reads"
        return requests.post(url, json=body, headers=self.org.auth, timeout=120)


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/readyz", timeout=60).status_code == 200
    except requests.ConnectionError:
        return False


def _count(query) -> int:  # type: ignore[no-untyped-def]
    with platform.current().db.unit_of_work() as session:
        return int(session.scalar(query) or 0)


def _issued(reservations: list[Reservation]) -> int:
    """Windows certified so far: the hours each reservation is issued up to."""
    with platform.current().db.unit_of_work() as session:
        ends = session.scalars(select(Reservation.issued_until).where(Reservation.id.in_([r.id for r in reservations])))
        return sum(int((end - T0).total_seconds() // 3600) for end in ends)


def _minted() -> int:
    """Certificates whose mint is done and whose minting the indexer has recorded as a webhook event."""
    with platform.current().db.unit_of_work() as session:
        done = session.scalar(
            select(func.count()).where(OutboxEntry.kind == OutboxKind.MINT_CERTIFICATE, OutboxEntry.status == "done")
        )
        announced = session.scalar(select(func.count()).where(Event.kind == "certificate.minted"))
        return min(int(done or 0), int(announced or 0))


def _events(org: Org) -> int:
    with platform.current().db.unit_of_work() as session:
        query = select(func.count()).where(
            Event.organization_id == org.actor.organization_id, Event.kind.in_(SUBSCRIBED)
        )
        return int(session.scalar(query) or 0)


def _certificates(url: str, org: Org) -> list[str]:
    answer = requests.get(f"{url}/api/v1/certificates", params={"size": 100}, headers=org.auth, timeout=60)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    items = body["items"] if isinstance(body, dict) else body
    return sorted(item["id"] for item in items)


DUPLICATE_QUERIES = {
    # a window certified twice: two certificates of one reservation, window and country in one round
    "certificates of one window": """SELECT count(*) FROM (SELECT 1 FROM certificate
        GROUP BY reservation_id, window_start, country_code, issuance_round HAVING count(*) > 1) d""",
    # a device's energy in two certificates
    "certified energy of one device and hour": """SELECT count(*) FROM (SELECT 1 FROM certified_energy
        GROUP BY device_id, period_start HAVING count(*) > 1) d""",
    "mint entries of one certificate": """SELECT count(*) FROM (SELECT 1 FROM chain_outbox
        WHERE kind = 'mint_certificate' GROUP BY subject_id HAVING count(*) > 1) d""",
    "mints of one token on chain": """SELECT count(*) FROM (SELECT 1 FROM token_transfer
        WHERE from_address = '0x0000000000000000000000000000000000000000' GROUP BY token_id HAVING count(*) > 1) d""",
    "indexed events of one log": """SELECT count(*) FROM (SELECT 1 FROM chain_event
        GROUP BY tx_hash, log_index HAVING count(*) > 1) d""",
    "announcements of one minting": """SELECT count(*) FROM (SELECT 1 FROM event WHERE kind = 'certificate.minted'
        GROUP BY organization_id, data ->> 'token_id' HAVING count(*) > 1) d""",
    "deliveries of one event to one endpoint": """SELECT count(*) FROM (SELECT 1 FROM webhook_delivery
        GROUP BY endpoint_id, event_id HAVING count(*) > 1) d""",
    "tries of one delivery": """SELECT count(*) FROM (SELECT 1 FROM webhook_attempt
        GROUP BY delivery_id HAVING count(*) > 1) d""",
}


def _duplicates(settings: Settings, receiver: Receiver) -> dict[str, int]:
    """How many duplicates each query finds, the receiver's and the chain's included."""
    with platform.current().db.unit_of_work() as session:
        found = {what: int(session.scalar(text(query)) or 0) for what, query in DUPLICATE_QUERIES.items()}
        found["deliveries not succeeded"] = int(
            session.scalar(select(func.count()).where(WebhookDelivery.status != DeliveryStatus.SUCCEEDED)) or 0
        )
        found["events indexed minus logs on chain"] = _indexed_minus_logged(session, settings)
        found["tokens whose balance is not their volume"] = _balances_off(session, settings)
    pairs = Counter((r.path, r.headers.get("Drec-Event-Id")) for r in receiver.received)
    found["webhooks received twice"] = sum(1 for n in pairs.values() if n > 1)
    return found


def _indexed_minus_logged(session, settings: Settings) -> int:  # type: ignore[no-untyped-def]
    """Events stored up to the checkpoint minus the contracts' logs the chain holds up to it (0 when each is once)."""
    chain = contracts.from_settings(settings)
    checkpoint = session.get_one(IndexerCheckpoint, INDEXER_CHECKPOINT).block_number
    logs = chain.web3.eth.get_logs(
        {
            "fromBlock": chain.deployment["block_number"],
            "toBlock": checkpoint,
            "address": [chain.contract(name).address for name in chain.deployment["contracts"]],
        }
    )
    stored = session.scalar(select(func.count()).where(ChainEvent.block_number <= checkpoint)) or 0
    return int(stored) - len(logs)


def _balances_off(session, settings: Settings) -> int:  # type: ignore[no-untyped-def]
    chain = contracts.from_settings(settings)
    contract = token(chain)
    return sum(
        1
        for certificate in session.scalars(select(Certificate))
        if contract.balanceOf(certificate.owner_address, int(certificate.token_id)).call() != certificate.volume_wh
    )


def _jobs_run(name: str) -> int:
    figures = metrics.job_figures(platform.current().redis)
    return sum(count for (job, _), (count, _) in figures.items() if job == name)
