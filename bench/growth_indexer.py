"""Growth curves of the indexer (issue 21, item 3): its catch-up rate and its restart with more and more events
indexed already, up to 1 M.

On a fresh anvil with the contracts deployed, the platform signer makes a fixed set of events (CERTIFICATES
certificates in batches of 100, TRANSFERS transfers and CLAIMS claims: about 2,700 events). One scratch database
(created on the server at TEST_DATABASE_URL, migrated, dropped) grows from size to size: PostgreSQL writes the
*stored* events itself (`generate_series`; per token a CertificateIssued and its mint, with the mint's transfer,
the holder's balance and the certificate's chain state), in a block below the deployment, where no step reads
and no replay reaches. At each size, ROUNDS rounds of:

- replay: the real events are forgotten with their effects (`drec indexer replay` from the deployment block);
- catch-up: `indexer.run.catch_up` indexes them again (decode, store, balances, claims, checkpoint), and
  the round asserts that every event was written; the figure is events per second, shown as ms per 1,000 events;
- restart: a new follower, as a starting process makes it, and its first step at the head (checkpoint, reorg
  check, an empty range);
- the reference, measured in the same rounds: the raw `eth_getLogs` calls over the same blocks.

Usage: `.venv/bin/python -m bench.growth_indexer [--sizes 10k,100k,1M] [--rounds 5]`.
Filling ran at 12,000–25,000 events/s here; 10 M events take 7–15 minutes and ~5 GB.
"""

import os
import time

from sqlalchemy import func, select, text

from bench.curves import RESULTS, Curve, arguments, load_average, report
from bench.indexer_catchup import fresh_chain, generate, raw_get_logs
from bench.readstack import REDIS
from bench.scratch import scratch_database
from dapp import platform
from dapp.chain.contracts import Chain
from dapp.models.chain import ChainEvent
from dapp.platform import Platform
from dapp.settings import Settings
from indexer.run import catch_up, follower_from_platform, replay_from
from tests.support.isolation import own_redis_database

CERTIFICATES, TRANSFERS, CLAIMS = 1_000, 300, 200
HOLDER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
ZERO = "0x" + "0" * 40
# Events number :first to :last, two a token (even: CertificateIssued, odd: its mint), in block 0.
ADD_EVENTS = text("""
WITH events AS (
    INSERT INTO chain_event (contract, event, block_number, block_hash, tx_hash, log_index, args)
    SELECT 'DrecCertificates', CASE WHEN n % 2 = 0 THEN 'CertificateIssued' ELSE 'TransferSingle' END, 0,
           '0x' || repeat('0', 64), '0x' || lpad(to_hex(n / 2), 64, '0'), n % 2,
           jsonb_build_object('id', (n / 2)::text, 'value', 1000000,
                              'from', CAST(:zero AS text), 'to', CAST(:holder AS text))
    FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS n
    RETURNING id, event, args
), transfers AS (
    INSERT INTO token_transfer (event_id, position, token_id, from_address, to_address, value_wh)
    SELECT id, 0, args ->> 'id', :zero, :holder, 1000000 FROM events WHERE event = 'TransferSingle'
    RETURNING token_id
), balances AS (
    INSERT INTO token_balance (token_id, holder, balance_wh) SELECT token_id, :holder, 1000000 FROM transfers
)
INSERT INTO certificate_chain_state (token_id, is_revoked)
SELECT args ->> 'id', false FROM events WHERE event = 'CertificateIssued'
""")


def grow(first: int, last: int) -> float:
    started = time.perf_counter()
    db = platform.current().db
    with db.unit_of_work() as session:
        session.execute(ADD_EVENTS, {"first": first, "last": last, "zero": ZERO, "holder": HOLDER})
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def one_round(chain: Chain, size: int, expected: int, curves: dict[str, Curve]) -> None:
    first, last = chain.deployment["block_number"], chain.web3.eth.block_number
    started = time.perf_counter()
    replay_from(first)
    replay_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    written = catch_up(follower_from_platform())
    catch_up_ms = (time.perf_counter() - started) * 1000
    with platform.current().db.unit_of_work() as session:
        stored = session.scalar(select(func.count()).select_from(ChainEvent).where(ChainEvent.block_number >= first))
    if not written == stored == expected:
        raise RuntimeError(f"catch-up wrote {written} events, {stored} stored, {expected} on the chain")
    started = time.perf_counter()
    restarted = catch_up(follower_from_platform())
    restart_ms = (time.perf_counter() - started) * 1000
    assert restarted == 0
    started = time.perf_counter()
    raw_get_logs(chain, first, last)
    reference_ms = (time.perf_counter() - started) * 1000
    per_thousand = 1000 / expected
    for name, value in (
        ("catch-up, ms per 1,000 events", catch_up_ms * per_thousand),
        ("restart: new follower + first step", restart_ms),
        ("replay: forget the same events and their effects", replay_ms),
        ("reference: eth_getLogs, ms per 1,000 events", reference_ms * per_thousand),
    ):
        curves.setdefault(name, Curve(name, "ms")).add(size, value)


def main() -> None:
    args = arguments(__doc__.split("\n")[0], "10k,100k,1M").parse_args()
    curves: dict[str, Curve] = {}
    with own_redis_database(REDIS) as redis_url, fresh_chain() as (chain, _folder):
        os.environ["REDIS_URL"] = redis_url
        started = time.perf_counter()
        generate(chain, CERTIFICATES, TRANSFERS, CLAIMS)
        expected = raw_get_logs(chain, chain.deployment["block_number"], chain.web3.eth.block_number)
        print(f"generated {expected:,} events in {time.perf_counter() - started:.0f} s", flush=True)
        settings = Settings(
            _env_file=None,
            chain_rpc_url=chain.rpc_url,
            deployment_file=chain.deployment_file,
            confirmations=0,
            redis_url=redis_url,
        )
        with scratch_database() as url:
            platform.install(Platform(settings.model_copy(update={"database_url": url})))
            catch_up(follower_from_platform())  # warm-up: the real events indexed once, untimed
            stored = 0
            for size in args.sizes:
                seconds = grow(stored, size - 1)
                print(
                    f"{size:,} events stored ({size - stored:,} added in {seconds:.0f} s); {load_average()}", flush=True
                )
                stored = size
                for _ in range(args.rounds):
                    one_round(chain, size, expected, curves)
            platform.current().db.dispose()
    report(
        f"Events indexed already -> the indexer's work on the same {expected:,} new events (ms)",
        list(curves.values()),
        RESULTS / "growth_indexer.png",
    )


if __name__ == "__main__":
    main()
