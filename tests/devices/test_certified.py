"""Once energy of a device is certified (certified_energy through its meter reads), history is fixed (R-DEV-6)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dapp import platform
from dapp.devices.schemas import DeviceUpdate
from dapp.devices.service import registry as service
from dapp.errors import Conflict, Invalid
from dapp.issuance.service import windows as issuance
from dapp.models.accounts import OrganizationType
from dapp.models.devices import Device
from dapp.models.reads import MeterRead
from tests.factories.accounts import make_org
from tests.factories.devices import make_device
from tests.factories.reservations import make_reservation

T0 = datetime(2026, 6, 1, tzinfo=UTC)


def send_reads(client, org, external_id, reads) -> None:
    response = client.post(
        f"/api/v1/devices/{external_id}/reads",
        headers=org.auth,
        json={"type": "delta", "unit": "Wh", "reads": [{"end": e.isoformat(), "value": v} for e, v in reads]},
    )
    assert response.status_code == 200, response.json
    assert response.json["rejected"] == 0, response.json


def certify(client, developer, device) -> None:
    """Daytime reads (the clear-sky check flags night-time energy), a reservation and issuance: the device ends
    up with certified energy."""
    clock = platform.current().clock
    day = (device.onboarded_at + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    clock.set(day + timedelta(days=3))
    send_reads(
        client, developer, device.external_id, [(day + timedelta(hours=8), 0), (day + timedelta(hours=10), 2000)]
    )
    buyer = make_org("Certifying Buyer", OrganizationType.BUYER)
    make_reservation(buyer, [device], day, day + timedelta(days=1))
    with platform.current().db.unit_of_work() as session:
        assert issuance.run_until(session, day + timedelta(days=1), clock.now())
        assert service.has_certified_energy(session, device.id)


@pytest.fixture
def certified(app, settings):
    platform.current().clock.set(T0 - timedelta(days=10))
    developer = make_org("Sunny Developers")
    device = make_device(developer, "D1", capacity_kw="50", commissioning=date(2025, 1, 1))
    certify(app.test_client(), developer, device)
    return developer


def update(org, **fields):
    with platform.current().db.unit_of_work() as session:
        return service.update(session, org.actor, T0 + timedelta(days=4), "D1", DeviceUpdate(**fields))


@pytest.mark.parametrize(
    ("field", "value"),
    [("external_id", "D2"), ("country_code", "UGA"), ("commissioning_date", date(2024, 1, 1))],
)
def test_identity_fields_are_locked_once_energy_is_certified(certified, field, value) -> None:
    with pytest.raises(Invalid) as caught:
        update(certified, **{field: value})
    assert caught.value.code == "locked_after_certification"
    assert caught.value.extra["errors"][0]["field"] == field


def test_other_fields_stay_editable_after_certification(certified) -> None:
    device = update(certified, capacity_kw="55", sdg_benefits=["SDG7"], latitude="-1.3", longitude="36.9")
    assert (str(device.capacity_kw), device.sdg_benefits) == ("55", ["SDG7"])


def test_sending_the_same_locked_value_again_is_not_a_change(certified) -> None:
    assert update(certified, external_id="D1", country_code="KEN").external_id == "D1"


def test_a_device_with_certified_energy_cannot_be_deleted(certified) -> None:
    with pytest.raises(Conflict) as caught, platform.current().db.unit_of_work() as session:
        service.delete_device(session, certified.actor, T0, "D1")
    assert caught.value.code == "device_has_certified_energy"


def test_a_reserved_device_without_certified_energy_cannot_be_deleted(app, settings) -> None:
    platform.current().clock.set(T0)
    developer = make_org("Sunny Developers")
    device = make_device(developer, "D1")
    make_reservation(make_org("Buyer", OrganizationType.BUYER), [device], T0, T0 + timedelta(days=5))
    with pytest.raises(Conflict) as caught, platform.current().db.unit_of_work() as session:
        service.delete_device(session, developer.actor, T0, "D1")
    assert caught.value.code == "device_in_reservation"


def test_deleting_a_device_takes_its_uncertified_reads_with_it(app, settings) -> None:
    platform.current().clock.set(T0 - timedelta(days=10))
    developer = make_org("Sunny Developers")
    make_device(developer, "D1", capacity_kw="50", commissioning=date(2025, 1, 1))
    platform.current().clock.set(T0 + timedelta(days=1))
    send_reads(app.test_client(), developer, "D1", [(T0 + timedelta(hours=1), 0), (T0 + timedelta(hours=2), 500)])
    with platform.current().db.unit_of_work() as session:
        service.delete_device(session, developer.actor, T0 + timedelta(days=1), "D1")
    with platform.current().db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(MeterRead)) == 0
        assert session.scalar(select(func.count()).select_from(Device)) == 0


def test_the_commissioning_date_cannot_move_after_the_first_history_read(app, settings) -> None:
    platform.current().clock.set(T0)
    developer = make_org("Sunny Developers")
    make_device(developer, "D1", capacity_kw="50", commissioning=date(2026, 1, 1))
    history = {"start": "2026-03-01T08:00:00+00:00", "end": "2026-03-01T10:00:00+00:00", "value": 1000}
    response = app.test_client().post(
        "/api/v1/devices/D1/reads", headers=developer.auth, json={"type": "history", "unit": "Wh", "reads": [history]}
    )
    assert response.status_code == 200, response.json
    with pytest.raises(Invalid) as caught:
        update(developer, commissioning_date=date(2026, 3, 2))
    assert (caught.value.code, caught.value.extra["errors"][0]["field"]) == (
        "commissioning_after_reads",
        "commissioning_date",
    )
    assert update(developer, commissioning_date=date(2026, 2, 1)).commissioning_date == date(2026, 2, 1)
