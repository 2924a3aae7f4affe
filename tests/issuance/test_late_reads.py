"""Late reads (R-READ-9): energy arriving after its window was certified is certified in a later round,
once, and only within the reservation's grace period."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from dapp import platform
from dapp.issuance.service import windows as service
from dapp.models.accounts import OrganizationType
from dapp.models.devices import Device
from dapp.models.reads import DeviceReadState, LateEnergy, MeterRead
from tests.factories.accounts import make_org, make_platform_admin, signed_in
from tests.factories.devices import MIDNIGHT_SUN, make_device
from tests.factories.reservations import make_reservation
from tests.support.workers import settle

T0 = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
GRACE = timedelta(days=60)


@pytest.fixture
def late_setup(app):
    clock = platform.current().clock
    clock.set(T0)
    developer = make_org("Dev")
    device = make_device(developer, "D1", capacity_kw="50", **MIDNIGHT_SUN)
    buyer = make_org("Buyer", OrganizationType.BUYER)
    clock.set(T0 + timedelta(hours=11))
    send(app, developer, [(1, 0), (10, 9_000)])
    reservation = make_reservation(buyer, [device], T0, T0 + timedelta(days=5))
    clock.set(T0 + timedelta(days=1, hours=5))
    with platform.current().db.unit_of_work() as session:
        [on_time] = service.run_until(session, T0 + timedelta(days=1), clock.now())
    return {"developer": developer, "buyer": buyer, "reservation": reservation, "on_time": on_time}


def send(app, developer, reads) -> dict:
    body = {
        "type": "delta",
        "unit": "Wh",
        "reads": [{"end": (T0 + timedelta(hours=h)).isoformat(), "value": v} for h, v in reads],
    }
    response = app.test_client().post("/api/v1/devices/D1/reads", headers=developer.auth, json=body)
    assert response.json["rejected"] == 0, response.json
    return response.json


def run_late(now: datetime) -> list:
    with platform.current().db.unit_of_work() as session:
        return service.run_late(session, now, GRACE)


def test_late_energy_gets_a_certificate_of_the_next_round_once(app, late_setup) -> None:
    developer, on_time = late_setup["developer"], late_setup["on_time"]
    assert on_time.volume_wh == 9_000
    send(app, developer, [(14, 4_000)])  # [10:00, 14:00) of day one arrives after day one was certified
    [late] = run_late(platform.current().clock.now())
    assert (late.volume_wh, late.issuance_round, late.window_start) == (4_000, 1, on_time.window_start)
    assert late.token_id != on_time.token_id
    assert run_late(platform.current().clock.now()) == []


def test_late_certificates_are_minted_through_the_scheduler(app, late_setup) -> None:
    send(app, late_setup["developer"], [(14, 4_000)])
    settle()
    settle()
    page = app.test_client().get("/api/v1/certificates", headers=late_setup["buyer"].auth).json
    assert sorted((c["volume_wh"], c["status"]) for c in page["items"]) == [(4_000, "minted"), (9_000, "minted")]


def test_uncovered_reads_of_no_energy_make_no_late_window(app, late_setup) -> None:
    send(app, late_setup["developer"], [(14, 0)])  # an empty read after day one was certified
    with platform.current().db.unit_of_work() as session:
        assert service.late_windows(session, platform.current().clock.now(), GRACE) == []


def test_no_late_certification_after_the_grace_period(app, late_setup) -> None:
    send(app, late_setup["developer"], [(14, 4_000)])
    after_grace = T0 + timedelta(days=5) + GRACE + timedelta(minutes=1)
    assert run_late(after_grace) == []


def notes() -> list[tuple]:
    with platform.current().db.unit_of_work() as session:
        rows = session.execute(select(LateEnergy.period_start, LateEnergy.period_end).order_by(LateEnergy.id))
        return [tuple(row) for row in rows]


def test_certification_moves_the_devices_certified_time_on_and_on_time_energy_is_not_noted(app, late_setup) -> None:
    with platform.current().db.unit_of_work() as session:
        assert session.scalars(select(DeviceReadState.certified_until)).one() == T0 + timedelta(days=1)
    assert notes() == []


def test_late_energy_is_noted_when_it_arrives_and_the_pass_forgets_it_once_certified(app, late_setup) -> None:
    send(app, late_setup["developer"], [(14, 4_000)])
    assert notes() == [(T0 + timedelta(hours=10), T0 + timedelta(hours=14))]
    assert len(run_late(platform.current().clock.now())) == 1
    assert notes() == [(T0 + timedelta(hours=10), T0 + timedelta(hours=14))], "forgotten before it was certified"
    assert run_late(platform.current().clock.now()) == []
    assert notes() == []


def test_empty_late_reads_are_never_noted(app, late_setup) -> None:
    send(app, late_setup["developer"], [(14, 0)])
    assert notes() == []


def test_a_flagged_read_accepted_after_its_window_was_certified_is_certified_late(app, late_setup) -> None:
    with platform.current().db.unit_of_work() as session:  # a yield that allows more than a clear sky gives
        session.scalars(select(Device)).one().yield_kwh_per_kwp = Decimal(20_000)
    answer = send(app, late_setup["developer"], [(14, 270_000)])
    assert answer["results"][0]["status"] == "flagged", answer["results"]
    assert notes() == []
    with platform.current().db.unit_of_work() as session:
        read_id = session.scalars(select(MeterRead.id).where(MeterRead.status == "flagged")).one()
    make_platform_admin()
    admin = signed_in(app, "operator@platform.example")
    review = admin.api("POST", f"/api/v1/admin/flagged-reads/{read_id}/review", {"decision": "accept"})
    assert review.status_code == 200, review.json
    [late] = run_late(platform.current().clock.now())
    assert (late.volume_wh, late.issuance_round) == (270_000, 1)
