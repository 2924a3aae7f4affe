"""RQ jobs of issuance. Each takes ids, opens its own unit of work and is idempotent."""

import uuid
from datetime import datetime, timedelta

from dapp import platform
from dapp.issuance.service import windows
from dapp.issuance.service.certify import certify_late, certify_window


def enqueue_due_windows_job() -> int:
    """issuance.enqueue_due_windows: one `issuance.certify_window` job per closed window (job ids make duplicates
    harmless)."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        due = windows.due_windows(session, p.clock.now())
    for window in due:
        job_id = f"issuance-certify-window-{window.reservation_id}-{int(window.start.timestamp())}"
        platform.enqueue("issuance.certify_window", *_window_args(window), job_id=job_id)
    return len(due)


def certify_window_job(reservation_id: str, window_start: str, window_end: str) -> int:
    """issuance.certify_window: certify one window (the chain job mints its certificates after the commit)."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        certificates = certify_window(session, *_window(reservation_id, window_start, window_end), p.clock.now())
    return len(certificates)


LATE_READS_KEY = "drec:issuance:late-reads:last-run"  # the platform-clock instant of the last pass


def enqueue_late_windows_job() -> int:
    """issuance.enqueue_late_windows: once `late_reads_every_hours` of platform time have passed since the last
    pass (or the clock was moved back before it), one `issuance.certify_late_window` job per window with late
    energy. Moving the platform clock forward triggers it, as it does every other periodic job."""
    p = platform.current()
    if not platform.due_every(LATE_READS_KEY, timedelta(hours=p.settings.late_reads_every_hours)):
        return 0
    return enqueue_late_windows(p.clock.now())


def enqueue_late_windows(now: datetime) -> int:
    """One `issuance.certify_late_window` job per window with late energy at `now` (also `drec issuance late`)."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        late = windows.late_windows(session, now, timedelta(days=p.settings.late_reads_grace_days))
    for window in late:
        platform.enqueue("issuance.certify_late_window", *_window_args(window))
    return len(late)


def certify_late_window_job(reservation_id: str, window_start: str, window_end: str) -> int:
    """issuance.certify_late_window: certify a window's late energy as a certificate of the next round."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        certificates = certify_late(session, *_window(reservation_id, window_start, window_end), p.clock.now())
    return len(certificates)


def _window_args(window: windows.DueWindow) -> tuple[str, str, str]:
    return str(window.reservation_id), window.start.isoformat(), window.end.isoformat()


def _window(reservation_id: str, start: str, end: str) -> tuple[uuid.UUID, datetime, datetime]:
    return uuid.UUID(reservation_id), datetime.fromisoformat(start), datetime.fromisoformat(end)
