"""Certification notices (R-RES-7): the developer learns its energy was certified, the buyer that certificates
arrived, each with the window's times (not the run's)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from dapp import platform
from dapp.issuance.service import windows as service
from dapp.models.accounts import OrganizationType
from dapp.models.notify import Notification, NotificationKind
from tests.factories.accounts import make_org
from tests.factories.devices import MIDNIGHT_SUN, make_device
from tests.factories.reservations import make_reservation

T0 = datetime(2026, 6, 1, tzinfo=UTC)


def test_a_certified_window_notifies_the_developer_and_the_buyer_with_its_times(app) -> None:
    clock = platform.current().clock
    clock.set(T0)
    developer = make_org("Dev")
    device = make_device(developer, "D1", capacity_kw="50", **MIDNIGHT_SUN)
    buyer = make_org("Buyer", OrganizationType.BUYER)
    clock.set(T0 + timedelta(days=5))
    reads = [{"end": (T0 + timedelta(hours=h)).isoformat(), "value": v} for h, v in ((1, 0), (5, 4_000))]
    sent = app.test_client().post(
        "/api/v1/devices/D1/reads", headers=developer.auth, json={"type": "delta", "unit": "Wh", "reads": reads}
    )
    assert sent.json["rejected"] == 0
    make_reservation(buyer, [device], T0, T0 + timedelta(days=2), timezone="Africa/Nairobi")
    p = platform.current()
    with p.db.unit_of_work() as session:
        service.run_until(session, T0 + timedelta(days=2), p.clock.now())
    with p.db.unit_of_work() as session:
        notices = {n.kind: n for n in session.scalars(select(Notification))}
    certified, arrived = notices[NotificationKind.ENERGY_CERTIFIED], notices[NotificationKind.CERTIFICATES_ARRIVED]
    assert certified.organization_id == developer.actor.organization_id
    assert arrived.organization_id == buyer.actor.organization_id
    assert "4.000 kWh" in certified.title
    # the first Nairobi day's window, clipped to the reservation's start; not the time issuance ran (T0 + 5 days)
    window = "2026-06-01 03:00 – 2026-06-02 00:00 Africa/Nairobi (2026-06-01 00:00 – 2026-06-01 21:00 UTC)"
    assert window in certified.body
    assert window in arrived.body
    assert "2026-06-06" not in certified.body + arrived.body
