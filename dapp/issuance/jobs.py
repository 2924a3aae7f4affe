"""RQ jobs of issuance. Each takes ids, opens its own unit of work and is idempotent."""

import uuid
from datetime import datetime, timedelta

from dapp import platform
from dapp.chain.jobs import submit_outbox_job
from dapp.issuance import service
from dapp.issuance.certify import certify_late, certify_window


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


LATE_READS_KEY = "drec:issuance:late-reads"


def enqueue_late_windows() -> int:
    """Every `late_reads_every_hours`: one `issuance.certify_late_window` job per window with late energy."""
    p = platform.current()
    interval = int(p.settings.late_reads_every_hours * 3600)
    if not p.redis.set(LATE_READS_KEY, "1", nx=True, ex=interval):
        return 0
    with p.db.unit_of_work() as session:
        late = service.late_windows(session, p.clock.now(), timedelta(days=p.settings.late_reads_grace_days))
    for window in late:
        p.queue("default").enqueue(
            certify_late_window_job, str(window.reservation_id), window.start.isoformat(), window.end.isoformat()
        )
    return len(late)


def certify_late_window_job(reservation_id: str, window_start: str, window_end: str) -> int:
    """issuance.certify_late_window: certify a window's late energy as a certificate of the next round."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        certificates = certify_late(
            session,
            uuid.UUID(reservation_id),
            datetime.fromisoformat(window_start),
            datetime.fromisoformat(window_end),
            p.clock.now(),
        )
    if certificates:
        p.queue("chain").enqueue(submit_outbox_job)
    return len(certificates)
