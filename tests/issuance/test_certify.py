"""Certification of windows (R-ISS-2, R-ISS-3, R-ISS-5): exact pro-rata splits, never twice."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from dapp import platform
from dapp.issuance.service import windows as service
from dapp.issuance.service.certify import ON_TIME
from dapp.models.accounts import OrganizationType
from dapp.models.audit import AuditEntry
from dapp.models.issuance import Certificate, CertifiedEnergy
from dapp.models.reservations import Reservation, ReservationDevice, SplitRule
from tests.factories.accounts import make_org, signed_in
from tests.factories.devices import MIDNIGHT_SUN, make_device
from tests.factories.reservations import made_under, make_reservation
from tests.support.plans import partitions_of, planned_relations

T0 = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def setup(app):
    clock = platform.current().clock
    clock.set(T0)
    developer = make_org("Dev")
    device = make_device(developer, "D1", capacity_kw="50", **MIDNIGHT_SUN)
    buyer = make_org("Buyer", OrganizationType.BUYER)
    clock.set(T0 + timedelta(days=5))
    return developer, device, buyer


def send(app, org, reads):
    response = app.test_client().post(
        "/api/v1/devices/D1/reads",
        headers=org.auth,
        json={"type": "delta", "unit": "Wh", "reads": [{"end": e.isoformat(), "value": v} for e, v in reads]},
    )
    assert response.json["rejected"] == 0, response.json


def issue_until(until: datetime) -> list[Certificate]:
    p = platform.current()
    with p.db.unit_of_work() as session:
        return service.run_until(session, until, p.clock.now())


def test_under_the_split_by_time_a_read_straddling_windows_is_split_pro_rata_and_loses_no_wh(app, setup) -> None:
    developer, device, buyer = setup
    # 7,001 Wh over [22:00 day 1, 04:00 day 2): 2 h in window 1, 4 h in window 2
    send(app, developer, [(T0 + timedelta(hours=22), 0), (T0 + timedelta(hours=28), 7_001)])
    made_under(make_reservation(buyer, [device], T0, T0 + timedelta(days=3), frequency="daily"), SplitRule.TIME)
    certificates = issue_until(T0 + timedelta(days=3))
    assert [c.volume_wh for c in certificates] == [2_333, 4_668]
    assert sum(c.volume_wh for c in certificates) == 7_001


def test_under_the_split_by_time_hourly_windows_split_an_uneven_read_into_parts_that_sum_exactly(app, setup) -> None:
    developer, device, buyer = setup
    send(app, developer, [(T0 + timedelta(minutes=10), 0), (T0 + timedelta(hours=3, minutes=10), 10_000)])
    made_under(make_reservation(buyer, [device], T0, T0 + timedelta(days=1), frequency="hourly"), SplitRule.TIME)
    volumes = [c.volume_wh for c in issue_until(T0 + timedelta(hours=4))]
    # cumulative floors at 50, 110, 170 and 180 of 180 minutes: 2777, 6111, 9444, 10000
    assert volumes == [2_777, 3_334, 3_333, 556]
    assert sum(volumes) == 10_000


def test_energy_outside_the_reservation_period_is_not_certified(app, setup) -> None:
    developer, device, buyer = setup
    send(app, developer, [(T0 + timedelta(hours=1), 0), (T0 + timedelta(hours=5), 4_000)])
    hours = (T0 + timedelta(hours=2), T0 + timedelta(hours=4))
    made_under(make_reservation(buyer, [device], *hours, frequency="hourly"), SplitRule.TIME)
    assert [c.volume_wh for c in issue_until(T0 + timedelta(days=1))] == [1_000, 1_000]


def test_running_issuance_again_certifies_nothing_new(app, setup) -> None:
    developer, device, buyer = setup
    send(app, developer, [(T0 + timedelta(hours=1), 0), (T0 + timedelta(hours=5), 4_000)])
    make_reservation(buyer, [device], T0, T0 + timedelta(days=2))
    assert len(issue_until(T0 + timedelta(days=2))) == 1
    assert issue_until(T0 + timedelta(days=2)) == []


def test_the_database_refuses_to_certify_any_instant_of_a_device_twice(app, setup) -> None:
    developer, device, buyer = setup
    send(app, developer, [(T0 + timedelta(hours=1), 0), (T0 + timedelta(hours=5), 4_000)])
    make_reservation(buyer, [device], T0, T0 + timedelta(days=2))
    [certificate] = issue_until(T0 + timedelta(days=1))
    with (
        platform.current().db.unit_of_work() as session,
        pytest.raises(IntegrityError, match="ex_certified_energy_once"),
    ):
        session.execute(
            insert(CertifiedEnergy).values(
                certificate_id=certificate.id,
                device_id=device.id,
                period_start=T0 + timedelta(hours=4, minutes=59),
                period_end=T0 + timedelta(hours=6),
                energy_wh=1,
            )
        )
    with platform.current().db.unit_of_work() as session:
        assert session.scalar(select(func.sum(CertifiedEnergy.energy_wh))) == 4_000


def test_a_device_with_a_gap_gets_one_certified_range_per_island(app, setup) -> None:
    developer, device, buyer = setup
    history = app.test_client().post(
        "/api/v1/devices/D1/reads",
        headers=developer.auth,
        json={
            "type": "history",
            "unit": "Wh",
            "reads": [
                {"start": "2026-05-10T00:00:00+00:00", "end": "2026-05-10T06:00:00+00:00", "value": 600},
                {"start": "2026-05-10T12:00:00+00:00", "end": "2026-05-10T18:00:00+00:00", "value": 900},
            ],
        },
    )
    assert history.json["rejected"] == 0, history.json
    make_reservation(buyer, [device], datetime(2026, 5, 10, tzinfo=UTC), T0, frequency="daily")
    [certificate] = issue_until(datetime(2026, 5, 11, tzinfo=UTC))
    assert certificate.volume_wh == 1_500
    with platform.current().db.unit_of_work() as session:
        ranges = session.execute(
            select(CertifiedEnergy.period_start, CertifiedEnergy.period_end).order_by(CertifiedEnergy.period_start)
        ).all()
    assert [(s.hour, e.hour) for s, e in ranges] == [(0, 6), (12, 18)]


@pytest.mark.parametrize("rule", [SplitRule.TIME, SplitRule.SOLAR])
def test_two_memberships_of_a_device_in_one_window_cut_their_reads_at_their_edges(app, setup, rule) -> None:
    developer, device, buyer = setup
    # after a baseline at 00:30, reads of 100 Wh over [h:30, h+1:30); the device is held over [00:00, 06:00) and
    # [12:00, 24:00)
    hours = [(T0 + timedelta(hours=h, minutes=30), 100) for h in range(1, 25)]
    send(app, developer, [(T0 + timedelta(minutes=30), 0), *hours])
    reservation = make_reservation(buyer, [device], T0, T0 + timedelta(days=1), frequency="daily")
    made_under(reservation, rule)
    with platform.current().db.unit_of_work() as session:
        [first] = session.scalars(select(ReservationDevice).where(ReservationDevice.reservation_id == reservation.id))
        first.active_from, first.active_until = T0, T0 + timedelta(hours=6)
        session.flush()
        second = ReservationDevice(
            reservation_id=reservation.id,
            device_id=device.id,
            active_from=T0 + timedelta(hours=12),
            active_until=T0 + timedelta(days=1),
        )
        session.add(second)
    [certificate] = issue_until(T0 + timedelta(days=1))
    with platform.current().db.unit_of_work() as session:
        columns = (CertifiedEnergy.period_start, CertifiedEnergy.period_end, CertifiedEnergy.energy_wh)
        ranges = session.execute(select(*columns).order_by(CertifiedEnergy.period_start)).all()
    assert [(s, e) for s, e, _ in ranges] == [
        (T0 + timedelta(minutes=30), T0 + timedelta(hours=6)),
        (T0 + timedelta(hours=12), T0 + timedelta(hours=24)),
    ]
    assert certificate.volume_wh == sum(wh for _, _, wh in ranges)
    first, second = (wh for _, _, wh in ranges)
    if rule == SplitRule.TIME:  # each cut read gives half: 5 × 100 + 50, then 50 + 11 × 100 + 50
        assert (first, second) == (550, 1_200)
    else:  # whole reads as they are, the cut ones shared by the midnight sun's profile
        assert 500 <= first < 600
        assert 1_100 <= second < 1_300


def test_without_authority_to_exceed_the_target_caps_the_last_certificate_exactly(app, setup) -> None:
    developer, device, buyer = setup
    hours = [(1, 0), (5, 4_000), (24, 1_000), (28, 4_000)]
    send(app, developer, [(T0 + timedelta(hours=h), wh) for h, wh in hours])
    reservation = make_reservation(
        buyer, [device], T0, T0 + timedelta(days=4), authority_to_exceed=False, target_volume_mwh=Decimal("0.006")
    )
    certificates = issue_until(T0 + timedelta(days=4))
    assert [c.volume_wh for c in certificates] == [5_000, 1_000]
    with platform.current().db.unit_of_work() as session:
        assert session.get_one(Reservation, reservation.id).ended_at == T0 + timedelta(days=2)
        assert session.scalar(select(func.sum(CertifiedEnergy.excess_wh))) == 3_000
        assert session.scalar(select(func.sum(CertifiedEnergy.energy_wh))) == 6_000


def test_issuance_is_in_the_buyers_audit_log_with_what_was_issued(app, setup) -> None:
    """R-ACC-11: each certificate issued is an audit entry of the buyer's organization, by the platform itself."""
    developer, device, buyer = setup
    send(app, developer, [(T0 + timedelta(hours=10), 0), (T0 + timedelta(hours=12), 3_000)])
    make_reservation(buyer, [device], T0, T0 + timedelta(days=2), frequency="daily")
    [certificate] = issue_until(T0 + timedelta(days=2))
    with platform.current().db.unit_of_work() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "certificate.issue")).all()
    assert (entry.organization_id, entry.subject_id) == (buyer.actor.organization_id, str(certificate.id))
    assert (entry.actor_user_id, entry.actor_api_key_id, entry.before) == (None, None, None)
    assert entry.after["volume_wh"] == 3_000
    assert entry.after["token_id"] == certificate.token_id
    assert entry.after["window_start"] == certificate.window_start.isoformat().replace("+00:00", "Z")
    listed = signed_in(app, buyer.email).api("GET", "/api/v1/audit-log?action=certificate.").json
    assert [item["subject_id"] for item in listed["items"]] == [str(certificate.id)]


def test_certifying_a_window_plans_no_partition_of_the_months_before_it(app, setup) -> None:
    """The reads of a window end after it starts: months before it are left out when the statement is planned, so
    the work does not grow with the history stored (issue 21)."""
    _, device, buyer = setup
    reservation = make_reservation(buyer, [device], T0, T0 + timedelta(days=3), frequency="daily")
    params = {
        "reservation_id": reservation.id,
        "window_start": T0 + timedelta(days=1),
        "window_end": T0 + timedelta(days=2),
    }
    with platform.current().db.unit_of_work() as session:
        months = partitions_of(planned_relations(session, ON_TIME.member_totals, params))
    assert "m2026_06" in months
    assert not {m for m in months if m < "m2026_06"}
