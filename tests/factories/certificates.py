"""Certificates issued and waiting in the chain outbox (not minted), made through the read API and issuance."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dapp import platform
from dapp.issuance.service import windows as issuance
from dapp.models.accounts import OrganizationType
from tests.factories.accounts import make_org
from tests.factories.devices import make_device
from tests.factories.reservations import make_reservation

T0 = datetime(2026, 6, 1, tzinfo=UTC)  # 03:00 in Nairobi, where the device is
BUYER = "Green Buyer"


@dataclass(frozen=True)
class Pending:
    certificate_ids: list[uuid.UUID]
    token_ids: list[int]
    volumes_wh: list[int]
    wallet: str
    buyer_organization_id: uuid.UUID


def pending_certificates(app, days: int = 3, tag: str = "") -> Pending:
    """A developer's device with daylight reads on `days` days, reserved daily by a buyer and certified: `days`
    certificates in the chain outbox, after their reservation's creation log entry, and no chain job queued.
    `tag` ends the organizations' names and the device's id (for more than one set in a database)."""
    p = platform.current()
    p.clock.set(T0)
    developer = make_org(f"Sunny Developers{tag}")
    buyer = make_org(f"{BUYER}{tag}", OrganizationType.BUYER)
    device = make_device(developer, f"SUN-1{tag}")
    p.clock.set(T0 + timedelta(days=days, hours=1))
    ends = [T0 + timedelta(hours=6)] + [T0 + timedelta(days=d, hours=h) for d in range(days) for h in (8, 9, 10)]
    reads = [{"end": end.isoformat(), "value": 0 if i == 0 else 500} for i, end in enumerate(ends)]
    response = app.test_client().post(
        f"/api/v1/devices/{device.external_id}/reads",
        headers=developer.auth,
        json={"type": "delta", "unit": "Wh", "reads": reads},
    )
    assert response.status_code == 200, response.json
    assert response.json["rejected"] == 0, response.json
    reservation = make_reservation(buyer, [device], T0, T0 + timedelta(days=days + 5))
    with p.db.unit_of_work() as session:
        certificates = sorted(issuance.run_until(session, T0 + timedelta(days=days), p.clock.now()), key=_start)
    assert len(certificates) == days
    p.queue("chain").empty()  # the chain job certifying asked for: the tests run the chain job themselves
    return Pending(
        [c.id for c in certificates],
        [int(c.token_id) for c in certificates],
        [c.volume_wh for c in certificates],
        reservation.wallet_address,
        buyer.actor.organization_id,
    )


def _start(certificate) -> datetime:
    return certificate.window_start
