"""RQ jobs of reservations. Each opens its own unit of work and is idempotent."""

from dapp import platform
from dapp.reservations.service import release


def release_expired_job() -> dict[str, int]:
    """reservations.release_expired: record reservations that reached their end and release devices whose time
    in a reservation is over (run every scheduler tick)."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        released = release.release_expired(session, p.clock.now())
    return {"ended_reservations": released.ended_reservations, "released_devices": released.released_devices}
