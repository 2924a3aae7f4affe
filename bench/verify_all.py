"""R-REG-4 / issue 16: the standalone verifier's `all` over a registry of N certificates, vs. fetching the same
logs and documents alone, same run.

On a fresh anvil with the contracts deployed, the platform signer logs N / 50 reservations (each with its
device list) and issues N certificates in batches of 100, each with its metadata document (50 contributions of
its reservation's devices, stored in a content store on disk). The indexer catches up into a scratch database,
and the application serves the gateway over HTTP (werkzeug, threaded). Then, three times:

- reference: every `eth_getLogs` call the verifier makes and a GET of every document the chain names, nothing
  else (same JSON-RPC and HTTP clients);
- verifier: `drec_verifier` `all` from the deployment block (chain + gateway alone, no registry witness).

Prints medians, certificates/s and the ratio; the goal is a ratio ≤ 2.
Usage: `.venv/bin/python -m bench.verify_all [N]` (default 1,000; the issue's figure is 10,000).
"""

import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from bench.indexer_catchup import fresh_chain, send_all
from bench.scratch import scratch_database
from dapp import platform
from dapp.app import create_app
from dapp.chain.certificate_data import metadata_cid_fields
from dapp.chain.contracts import Chain
from dapp.ipfs import LocalContentStore, add_json, canonical_json
from dapp.keccak import keccak256
from dapp.settings import Settings
from drec_verifier import content, ledger, registry
from drec_verifier.chain import TOPICS, Rpc
from drec_verifier.reservation import LOG_EVENTS
from drec_verifier.sources import Sources, gateway
from indexer.run import catch_up, follower_from_platform
from tests.support.server import serving

PER_RESERVATION, BATCH, DEVICES, RUNS = 50, 100, 50, 3
GOAL_RATIO = 2.0
START = datetime(2026, 1, 1, tzinfo=UTC)


def reservation_log(chain: Chain, store: LocalContentStore, count: int) -> list[tuple[uuid.UUID, list[str]]]:
    functions = chain.contract("ReservationLog").functions
    reservations, calls = [], []
    for _ in range(count):
        rid, devices = uuid.uuid4(), sorted(str(uuid.uuid4()) for _ in range(DEVICES))
        document = {"reservation_id": str(rid), "device_ids": devices, "issuance_time_zone": "UTC"}
        cid = add_json(store, document)
        end = START + timedelta(days=PER_RESERVATION)
        calls.append(
            functions.logCreated(
                rid.bytes,
                chain.signer.address,
                int(START.timestamp()),
                int(end.timestamp()),
                "daily",
                0,
                True,
                keccak256(canonical_json(document)),
                cid,
            )
        )
        reservations.append((rid, devices))
    send_all(chain, calls, 500_000)
    return reservations


def certificate(store: LocalContentStore, owner: str, rid: uuid.UUID, devices: list[str], day: int) -> tuple[Any, ...]:
    start = START + timedelta(days=day)
    contributions = [
        {
            "device_id": d,
            "start": start.isoformat(),
            "end": (start + timedelta(days=1)).isoformat(),
            "energy_wh": 1000 + i,
        }
        for i, d in enumerate(devices)
    ]
    leaves = [
        content.contribution_leaf(c["device_id"], c["start"], c["end"], c["energy_wh"])
        for c in sorted(contributions, key=lambda c: uuid.UUID(c["device_id"]).bytes)
    ]
    root = content.merkle_root(leaves)
    token = content.certificate_key(str(rid), start.isoformat(), "KEN", 0)
    window = {"start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat()}
    volume = sum(c["energy_wh"] for c in contributions)
    document = {
        "version": "2",
        "certificate_key": "0x" + token.to_bytes(32, "big").hex(),
        "issuance_round": 0,
        "buyer_reservation_id": str(rid),
        "buyer_address": owner,
        "country_code": "KEN",
        "volume_wh": volume,
        "window": window,
        "generation": window,
        "contributions_root": "0x" + root.hex(),
        "contributions": contributions,
    }
    cid = add_json(store, document)
    return (
        token.to_bytes(32, "big"),
        owner,
        volume,
        int(start.timestamp()),
        int(start.timestamp()) + 86_400,
        rid.bytes,
        root,
        *metadata_cid_fields(cid),
    )


def generate(chain: Chain, store: LocalContentStore, count: int) -> None:
    reservations = reservation_log(chain, store, max(1, count // PER_RESERVATION))
    owner = chain.signer.address
    data = [certificate(store, owner, *reservations[i // PER_RESERVATION], i % PER_RESERVATION) for i in range(count)]
    issue = chain.contract("DrecCertificates").functions.issueBatch
    send_all(chain, [issue(data[i : i + BATCH]) for i in range(0, count, BATCH)], 30_000_000)


def fetch_only(sources: Sources) -> int:
    """The reference: the same logs and the documents they name, fetched and nothing else."""
    head = sources.rpc.head()
    book = ledger.everything(sources, head)
    logs = sources.rpc.events(sources.reservation_log, [[TOPICS[n] for n in LOG_EVENTS]], sources.first_block, head)
    cids = [content.cid_text(e.args["cidPrefix"] + e.args["cidDigest"]) for e in book.issued.values()]
    cids += [e.args["devicesCid"] for e in logs if "devicesCid" in e.args]
    return sum(len(sources.documents(cid)) for cid in cids)


def measure(chain: Chain, url: str, count: int) -> None:
    contracts = chain.deployment["contracts"]

    def sources() -> Sources:
        return Sources(
            Rpc.connect(chain.rpc_url),
            contracts["DrecCertificates"]["address"],
            contracts["ReservationLog"]["address"],
            chain.deployment["block_number"],
            gateway(url, requests.Session()),
        )

    references, verifications = [], []
    for run in range(1, RUNS + 1):
        started = time.perf_counter()
        fetched = fetch_only(sources())
        references.append(time.perf_counter() - started)
        started = time.perf_counter()
        report = registry.verify_all(sources())
        verifications.append(time.perf_counter() - started)
        assert report.verdict == "consistent", report.facts["inconsistent"][:5]
        assert report.facts["certificates"] == count
        print(f"run {run}: fetch {references[-1]:.2f} s ({fetched:,} bytes), verify all {verifications[-1]:.2f} s")
    reference, verify = statistics.median(references), statistics.median(verifications)
    verdict = "ok" if verify / reference <= GOAL_RATIO else f"over {GOAL_RATIO}×"
    print(
        f"median: fetch {reference:.2f} s, all {verify:.2f} s ({count / verify:,.0f} certificates/s), "
        f"ratio {verify / reference:.2f}× — goal ≤ {GOAL_RATIO}×: {verdict}"
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    with fresh_chain() as (chain, folder):
        store = LocalContentStore(folder / "ipfs")
        started = time.perf_counter()
        generate(chain, store, count)
        print(f"generated {count:,} certificates in {time.perf_counter() - started:.1f} s")
        settings = Settings(
            _env_file=None,
            chain_rpc_url=chain.rpc_url,
            deployment_file=chain.deployment_file,
            confirmations=0,
            var_dir=folder,
        )
        with scratch_database() as db_url:
            app = create_app(settings.model_copy(update={"database_url": db_url}))
            catch_up(follower_from_platform())
            with serving(app) as url:
                measure(chain, url, count)
            platform.current().db.engine.dispose()


if __name__ == "__main__":
    main()
