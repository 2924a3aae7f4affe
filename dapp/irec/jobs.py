"""RQ jobs of I-REC conversion. Each opens its own units of work and is idempotent."""

from dapp import platform
from dapp.irec.registry import registry_from_settings
from dapp.irec.service import groups, registration


def sync_registry_job() -> dict[str, int]:
    """irec.sync_registry: group new devices, send submitted groups to the registry and read its decisions; one
    unit of work per group, so one group's answer is kept whatever happens to the next."""
    p = platform.current()
    registry = registry_from_settings(p.settings)
    with p.db.unit_of_work() as session:
        grouped = groups.group_devices(session, p.clock.now())
        pending = registration.submitted_groups(session)
    decided = 0
    for group_id in pending:
        with p.db.unit_of_work() as session:
            decided += registration.follow(session, registry, p.clock.now(), group_id) != "submitted"
    return {"grouped": grouped, "registrations_decided": decided}
