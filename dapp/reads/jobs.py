"""Periodic work of meter reads: the partitions of the coming months (ADR 0030)."""

from dapp import platform
from dapp.reads import partitions


def prepare_partitions_job() -> dict[str, list[str]]:
    """reads.prepare_partitions: make the partitions of this month and the next ones before reads arrive for them
    (run every scheduler tick; a catalog query when they are all there)."""
    p = platform.current()
    created = partitions.ensure_months(p.db.engine, partitions.coming_months(p.clock.now()))
    return {"created": [month.isoformat() for month in created]}
