"""How the platform is doing, as an operator asks (issue 19, R-CLI-1): each dependency, the job queues, the chain
outbox, the indexer, webhooks and minting gas. `drec health` prints it and exits non-zero when unhealthy;
`/metrics` exposes it at scrape time next to the request and job metrics (ADR 0091); the admin dashboard shows
it (ADR 0121)."""

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp import metrics, platform, probes
from dapp.admin.schemas import QueueRead
from dapp.admin.service import jobs, overview
from dapp.chain.fees import GWEI
from dapp.models.chain import OutboxEntry, OutboxKind, OutboxStatus
from dapp.outages import OUTAGE_ERRORS
from dapp.platform import QUEUE_NAMES, Platform
from indexer.lag import indexer_lag

OPEN = (OutboxStatus.PENDING, OutboxStatus.SENT, OutboxStatus.FAILED)


@dataclass
class IndexerLagFigures:
    head_block: int
    indexed_block: int | None  # None until the indexer's first step
    blocks: int
    seconds: int  # chain time between the indexed block and the head


@dataclass
class FeeFigures:
    """What the network asks for a transaction now against the ceiling (ADR 0117); above it, transactions wait."""

    description: str  # what the network asks against the ceiling, in words
    base_fee_gwei: float
    priority_fee_gwei: float
    ceiling_gwei: float
    above_ceiling: bool


@dataclass
class Snapshot:
    """The operations figures, one source for `drec health`, `/metrics` and the admin dashboard."""

    problems: dict[str, str | None]
    queues: list[QueueRead] = field(default_factory=list)
    queue_depths: dict[str, int] = field(default_factory=dict)
    failed_jobs: dict[str, int] = field(default_factory=dict)
    outbox_counts: dict[str, int] = field(default_factory=dict)  # state → entries
    outbox_oldest_seconds: dict[str, float] = field(default_factory=dict)  # kind → age of its oldest open entry
    outbox_failed: int = 0
    indexer: IndexerLagFigures | None = None
    webhooks: overview.WebhookFigures | None = None
    mint_gas_used: int = 0
    mint_transactions: int = 0
    fees: FeeFigures | None = None

    @property
    def healthy(self) -> bool:
        return all(problem is None for problem in self.problems.values())

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "queues": [queue.model_dump() for queue in self.queues]}


def snapshot(p: Platform) -> Snapshot:
    """Every figure the dependencies that answer can give; a dependency down is named in `problems`. The chain is
    asked with a short timeout (dapp.probes.quick_chain)."""
    report = Snapshot(probes.dependency_problems(p))
    if report.problems["redis"] is None:
        report.queues = jobs.queues(p.redis, QUEUE_NAMES)
        report.queue_depths = {queue.name: queue.queued for queue in report.queues}
        report.failed_jobs = {queue.name: queue.failed for queue in report.queues}
    if report.problems["database"] is None:
        with p.db.unit_of_work() as session:
            _outbox(session, p.clock.now() if report.problems["redis"] is None else None, report)
            report.webhooks = overview.webhook_figures(session)
            if report.problems["chain"] is None:
                report.indexer = _indexer(session, p)
    if report.problems["chain"] is None:
        report.fees = _fees(p)
    return report


def _fees(p: Platform) -> FeeFigures | None:
    try:
        quote = probes.quick_chain(p.settings).fee_quote()
    except OUTAGE_ERRORS:
        return None
    return FeeFigures(
        quote.describe(),
        quote.base_fee / GWEI,
        quote.priority_fee / GWEI,
        quote.ceiling.max_fee / GWEI,
        quote.above_ceiling,
    )


def _outbox(session: Session, now: datetime | None, report: Snapshot) -> None:
    report.outbox_counts = overview.outbox_counts(session)
    report.outbox_failed = report.outbox_counts.get(OutboxStatus.FAILED, 0)
    oldest = session.execute(
        select(OutboxEntry.kind, func.min(OutboxEntry.created_at))
        .where(OutboxEntry.status.in_(OPEN))
        .group_by(OutboxEntry.kind)
    )
    if now is not None:
        report.outbox_oldest_seconds = {kind: (now - created).total_seconds() for kind, created in oldest}
    mints = (  # one row per mint transaction: its entries share its hash and its gas
        select(OutboxEntry.tx_hash, OutboxEntry.gas_used)
        .where(OutboxEntry.kind == OutboxKind.MINT_CERTIFICATE, OutboxEntry.status == OutboxStatus.DONE)
        .distinct()
        .subquery()
    )
    gas, count = session.execute(select(func.coalesce(func.sum(mints.c.gas_used), 0), func.count())).one()
    report.mint_gas_used, report.mint_transactions = int(gas), int(count)


def _indexer(session: Session, p: Platform) -> IndexerLagFigures | None:
    chain = probes.quick_chain(p.settings)
    try:
        lag = indexer_lag(session, chain)
        if lag.indexed_block is None:
            return IndexerLagFigures(lag.head_block, None, lag.blocks_behind, 0)
        head_time = chain.web3.eth.get_block(lag.head_block)["timestamp"]
        indexed_time = chain.web3.eth.get_block(lag.indexed_block)["timestamp"]
    except OUTAGE_ERRORS:
        return None
    seconds = max(0, int(head_time) - int(indexed_time))
    return IndexerLagFigures(lag.head_block, lag.indexed_block, lag.blocks_behind, seconds)


class OperationsCollector(Collector):
    """The snapshot and the jobs' figures, read at each scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        p = platform.current()
        report = snapshot(p)
        up = GaugeMetricFamily("drec_dependency_up", "1 if the dependency answers", labels=["dependency"])
        for name, problem in report.problems.items():
            up.add_metric([name], 0 if problem else 1)
        yield up
        yield _gauge("drec_queue_depth", "Jobs waiting in the queue", "queue", report.queue_depths)
        yield _gauge("drec_queue_failed_jobs", "Failed jobs kept by the queue", "queue", report.failed_jobs)
        yield _gauge(
            "drec_outbox_oldest_age_seconds",
            "Age of the oldest chain-outbox entry not done, by kind",
            "kind",
            report.outbox_oldest_seconds,
        )
        yield GaugeMetricFamily(
            "drec_outbox_failed_entries", "Chain-outbox entries given up", value=report.outbox_failed
        )
        if report.indexer is not None and report.indexer.indexed_block is not None:
            yield GaugeMetricFamily(
                "drec_indexer_lag_blocks", "Blocks the indexer is behind", value=report.indexer.blocks
            )
            yield GaugeMetricFamily(
                "drec_indexer_lag_seconds", "Chain time the indexer is behind", value=report.indexer.seconds
            )
        if report.fees is not None:
            yield from _fee_gauges(report.fees)
        yield CounterMetricFamily("drec_mint_gas_used", "Gas used by mint transactions", value=report.mint_gas_used)
        yield CounterMetricFamily("drec_mint_transactions", "Mint transactions mined", value=report.mint_transactions)
        if report.webhooks is not None:
            yield from _webhooks(report.webhooks)
        if report.problems["redis"] is None:
            yield from _jobs(p)


def _gauge(name: str, documentation: str, label: str, values: dict[str, float] | dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in values.items():
        family.add_metric([key], value)
    return family


def _fee_gauges(fees: FeeFigures) -> Iterator[GaugeMetricFamily]:
    yield GaugeMetricFamily("drec_chain_base_fee_gwei", "Base fee of the next block", value=fees.base_fee_gwei)
    yield GaugeMetricFamily("drec_chain_priority_fee_gwei", "Priority fee offered", value=fees.priority_fee_gwei)
    yield GaugeMetricFamily("drec_chain_fee_ceiling_gwei", "Most a transaction may offer", value=fees.ceiling_gwei)
    yield GaugeMetricFamily(
        "drec_chain_fee_above_ceiling",
        "1 while the network asks more than the ceiling (transactions wait)",
        value=int(fees.above_ceiling),
    )


def _jobs(p: Platform) -> Iterator[CounterMetricFamily]:
    figures = metrics.job_figures(p.redis)
    counts = CounterMetricFamily("drec_jobs", "Jobs run, by name and outcome", labels=["job", "outcome"])
    seconds = CounterMetricFamily(
        "drec_job_duration_seconds", "Total time spent in jobs, by name and outcome", labels=["job", "outcome"]
    )
    for (name, outcome), (count, total) in sorted(figures.items()):
        counts.add_metric([name, outcome], count)
        seconds.add_metric([name, outcome], total)
    yield counts
    yield seconds


def _webhooks(figures: overview.WebhookFigures) -> Iterator[GaugeMetricFamily]:
    yield _gauge("drec_webhook_deliveries", "Webhook deliveries kept, by status", "status", figures.by_status)
    yield GaugeMetricFamily(
        "drec_webhook_deliveries_retrying", "Pending webhook deliveries after a failed try", value=figures.retrying
    )
    yield GaugeMetricFamily(
        "drec_webhook_endpoints_disabled", "Webhook endpoints disabled after failing", value=figures.disabled_endpoints
    )
