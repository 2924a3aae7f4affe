"""RQ jobs of issuance. Each takes ids, opens its own unit of work and is idempotent."""

import uuid
from datetime import datetime

from dapp import platform
from dapp.chain.jobs import submit_outbox_job
from dapp.issuance import service
from dapp.issuance.certify import certify_window


def enqueue_due_windows() -> int:
    """Enqueue one `issuance.certify_window` job per closed window (job ids make duplicates harmless)."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        due = service.due_windows(session, p.clock.now())
    queue = p.queue("default")
    for window in due:
        queue.enqueue(
            certify_window_job,
            str(window.reservation_id),
            window.start.isoformat(),
            window.end.isoformat(),
            job_id=f"issuance-certify-window-{window.reservation_id}-{int(window.start.timestamp())}",
        )
    return len(due)


def certify_window_job(reservation_id: str, window_start: str, window_end: str) -> int:
    """issuance.certify_window: certify one window; then ask the chain queue to mint."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        certificates = certify_window(
            session,
            uuid.UUID(reservation_id),
            datetime.fromisoformat(window_start),
            datetime.fromisoformat(window_end),
            p.clock.now(),
        )
    if certificates:
        p.queue("chain").enqueue(submit_outbox_job)
    return len(certificates)
