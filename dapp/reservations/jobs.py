"""RQ jobs of reservations. Each opens its own unit of work and is idempotent."""

from dapp import platform
from dapp.notify import service as notifications
from dapp.notify.jobs import enqueue_email_delivery
from dapp.reservations import service


def release_expired_job() -> dict[str, int]:
    """reservations.release_expired: record reservations that reached their end and release devices whose time
    in a reservation is over (run every scheduler tick); then email the notifications."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        released = service.release_expired(session, p.clock.now())
        unsent = notifications.has_unsent(session)
    if unsent:
        enqueue_email_delivery()
    return {"ended_reservations": released.ended_reservations, "released_devices": released.released_devices}
