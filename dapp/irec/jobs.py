"""RQ jobs of I-REC conversion. Each opens its own units of work and is idempotent."""

from dapp import platform
from dapp.irec.registry import Registry, registry_from_settings
from dapp.irec.service import conversion, groups, redemption, registration


def sync_registry_job() -> dict[str, int]:
    """irec.sync_registry: group new devices, send submitted groups to the registry and read its decisions, then
    convert provisional certificates; one unit of work per group and per request, so each answer is kept whatever
    happens to the next."""
    p = platform.current()
    registry = registry_from_settings(p.settings)
    with p.db.unit_of_work() as session:
        grouped = groups.group_devices(session, p.clock.now())
        pending = registration.submitted_groups(session)
    decided = 0
    for group_id in pending:
        with p.db.unit_of_work() as session:
            decided += registration.follow(session, registry, p.clock.now(), group_id) != "submitted"
    return {"grouped": grouped, "registrations_decided": decided, **convert(p, registry), **redeem(p, registry)}


def convert(p: platform.Platform, registry: Registry) -> dict[str, int]:
    """Collect minted provisional certificates, plan whole-MWh requests, then send and follow each request in its
    own unit of work."""
    with p.db.unit_of_work() as session:
        collected = conversion.collect(session, p.clock.now())
        planned = conversion.plan(session, p.clock.now())
        requests = conversion.open_requests(session)
    statuses = []
    for request_id in requests:
        with p.db.unit_of_work() as session:
            statuses.append(conversion.advance(session, registry, p.content, p.clock.now(), request_id))
    return {"collected": collected, "requests_planned": planned, "requests_approved": statuses.count("approved")}


def redeem(p: platform.Platform, registry: Registry) -> dict[str, int]:
    """Redeem each requested redemption at the registry and burn its token, one unit of work each."""
    with p.db.unit_of_work() as session:
        pending = redemption.requested(session)
    statuses = []
    for redemption_id in pending:
        with p.db.unit_of_work() as session:
            statuses.append(redemption.follow(session, registry, p.clock.now(), redemption_id))
    return {"redeemed": statuses.count("redeemed")}
