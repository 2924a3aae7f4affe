"""`irec.*` webhook events (docs/webhooks.md): each written once, in the transaction of the change it announces."""

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import select

from dapp import platform
from dapp.irec.service import registration
from dapp.models.webhooks import Event
from tests.factories.accounts import make_org
from tests.factories.conversion import certify_and_mint, chain_job, irec_market
from tests.factories.devices import make_device
from tests.factories.irec import admin_actor, group_of
from tests.irec.test_redemption import REDEMPTION, issued_market
from tests.support import irec
from tests.support.workers import run_indexer


def irec_events() -> Counter[tuple[str, str]]:
    """(organization id, kind) → how many `irec.*` events were written."""
    with platform.current().db.unit_of_work() as session:
        rows = session.execute(select(Event.organization_id, Event.kind).where(Event.kind.like("irec.%")))
        return Counter((str(organization_id), kind) for organization_id, kind in rows)


def test_each_irec_event_of_a_conversion_and_a_redemption_is_emitted_once(app) -> None:
    market, [first, _] = issued_market(app)
    answer = app.test_client().post(
        f"/api/v1/irec/certificates/{first.id}/redemption", headers=market.buyer.auth, json=REDEMPTION
    )
    assert answer.status_code == 202, answer.json
    for _ in range(2):  # running every job again announces nothing twice
        irec.sync()
        chain_job()
        run_indexer()
    developer, buyer = str(market.developer.actor.organization_id), str(market.buyer.actor.organization_id)
    assert irec_events() == Counter(
        {
            (developer, "irec.group_approved"): 1,
            (buyer, "irec.request_approved"): 1,
            (buyer, "irec.serials_confirmed"): 2,
            (buyer, "irec.redemption_completed"): 1,
        }
    )
    with platform.current().db.unit_of_work() as session:
        data = session.scalars(select(Event.data).where(Event.kind == "irec.redemption_completed")).one()
    assert data["certificate_id"] == str(first.id)
    assert data["references"][0].startswith("RED-")


def test_rejections_are_announced_once_with_the_registry_reason(app) -> None:
    market = irec_market(app, days=2)
    irec.behave(reject_with="Metering evidence missing")
    certify_and_mint(until_day=2)
    irec.sync()
    irec.sync()
    buyer = str(market.buyer.actor.organization_id)
    assert irec_events()[(buyer, "irec.request_rejected")] == 1
    with platform.current().db.unit_of_work() as session:
        data = session.scalars(select(Event.data).where(Event.kind == "irec.request_rejected")).one()
    assert data["reason"] == "Metering evidence missing"
    assert len(data["certificate_ids"]) == 2


def test_a_rejected_group_registration_is_announced_once(app) -> None:
    p = platform.current()
    p.clock.set(datetime(2026, 6, 1, tzinfo=UTC))
    sunny = make_org("Sunny Developers")
    group = group_of(make_device(sunny, "ROOF-1"))
    irec.behave(reject_with="Site photos missing")
    with p.db.unit_of_work() as session:
        registration.submit(session, admin_actor(), p.clock.now(), group.id)
    irec.sync()
    irec.sync()
    assert irec_events() == Counter({(str(sunny.actor.organization_id), "irec.group_rejected"): 1})
