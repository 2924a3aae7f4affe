"""An I-REC reservation of an approved device group with real reads, certified window by window."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dapp import platform
from dapp.chain import contracts
from dapp.chain.jobs import submit_outbox
from dapp.issuance.service import windows as issuance
from dapp.models.accounts import OrganizationType
from dapp.models.devices import Device
from tests.factories.accounts import Org, make_org
from tests.factories.devices import make_device
from tests.factories.irec import approve_groups
from tests.factories.reservations import make_reservation
from tests.support.chain import new_run

T0 = datetime(2026, 6, 1, tzinfo=UTC)  # 03:00 in Nairobi
READ_WH = 500_000  # each daylight hour's read: a day's certificate is 1.5 MWh


@dataclass
class IrecMarket:
    developer: Org
    buyer: Org
    device: Device
    reservation_id: uuid.UUID
    wallet: str


def irec_market(app, days: int = 3, names: tuple[str, str] = ("Sunny Developers", "Green Buyer")) -> IrecMarket:
    """A 5 MW device with daylight reads on `days` days (3 × 0.5 MWh a day), its group approved, reserved daily
    with standard I-REC by a buyer; nothing certified yet. `names`: the developer's and the buyer's."""
    p = platform.current()
    p.clock.set(T0)
    developer = make_org(names[0])
    buyer = make_org(names[1], OrganizationType.BUYER)
    device = make_device(developer, "SUN-1", capacity_kw="5000")
    approve_groups(device)
    p.clock.set(T0 + timedelta(days=days, hours=1))
    ends = [T0 + timedelta(hours=6)] + [T0 + timedelta(days=d, hours=h) for d in range(days) for h in (8, 9, 10)]
    reads = [{"end": end.isoformat(), "value": 0 if i == 0 else READ_WH} for i, end in enumerate(ends)]
    response = app.test_client().post(
        f"/api/v1/devices/{device.external_id}/reads",
        headers=developer.auth,
        json={"type": "delta", "unit": "Wh", "reads": reads},
    )
    assert response.status_code == 200, response.json
    assert response.json["rejected"] == 0, response.json
    reservation = make_reservation(buyer, [device], T0, T0 + timedelta(days=days + 5), standard="I-REC")
    return IrecMarket(developer, buyer, device, reservation.id, reservation.wallet_address)


@dataclass(frozen=True)
class Certified:
    id: uuid.UUID
    token_id: int
    volume_wh: int


def certify_and_mint(until_day: int) -> list[Certified]:
    """Certify the windows closed by the end of day `until_day` and run the chain job (provisional mints)."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        certificates = issuance.run_until(session, T0 + timedelta(days=until_day), p.clock.now())
        certified = [Certified(c.id, int(c.token_id), c.volume_wh) for c in certificates]
    chain_job()
    return certified


def chain_job() -> dict[str, int | str]:
    platform.current().queue("chain").empty()
    return submit_outbox(new_run())


def token_functions():  # type: ignore[no-untyped-def]
    return contracts.from_settings(platform.current().settings).contract("DrecCertificates").functions
