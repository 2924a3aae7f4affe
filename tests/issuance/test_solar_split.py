"""Solar-true splitting (R-ISS-2, ADR 0100): parts follow the clear-sky profile, sum exactly, keep their rule."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dapp import platform
from dapp.issuance.service import windows as service
from dapp.models.accounts import OrganizationType
from dapp.models.reservations import SplitRule
from dapp.reads.locations import DEVICE, Location
from dapp.reads.plausibility import clear_sky_irradiance
from dapp.reads.splits import Cuts, solar_parts
from tests.factories.accounts import make_org
from tests.factories.devices import make_device
from tests.factories.reservations import made_under, make_reservation

NAIROBI = Location(-1.2921, 36.8219, DEVICE)
DAY = datetime(2026, 6, 2, tzinfo=UTC)
T0 = datetime(2026, 6, 1, tzinfo=UTC)


def sun_is_up_during(location: Location, start: datetime, end: datetime) -> bool:
    seconds = [start.timestamp() + s for s in range(0, int((end - start).total_seconds()) + 1, 60)]
    return bool(
        clear_sky_irradiance(
            np.array(seconds), np.full(len(seconds), location.latitude), np.full(len(seconds), location.longitude)
        ).max()
        > 0
    )


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def split(location: Location, read: tuple[datetime, datetime], parts: list[tuple[datetime, datetime]], energy: int):
    """The solar parts of `parts` of one read at `location`."""

    def us(instants):
        return np.array([(i - EPOCH) // timedelta(microseconds=1) for i in instants], dtype=np.int64)

    n = len(parts)
    return solar_parts(
        Cuts(
            np.full(n, location.latitude),
            np.full(n, location.longitude),
            us([read[0]] * n),
            us([read[1]] * n),
            us([a for a, _ in parts]),
            us([b for _, b in parts]),
            [energy] * n,
        )
    )


instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1), timezones=st.just(UTC))


@settings(max_examples=300, deadline=None)
@given(
    latitude=st.floats(-66, 66),
    longitude=st.floats(-180, 180),
    start=instants,
    length=st.integers(1, 10 * 86_400_000_000),
    cuts=st.lists(st.floats(0, 1), max_size=12),
    energy=st.integers(0, 10**12),
)
def test_the_parts_of_a_read_sum_exactly_to_it_and_none_is_negative(
    latitude, longitude, start, length, cuts, energy
) -> None:
    end = start + timedelta(microseconds=length)
    location = Location(latitude, longitude, DEVICE)
    edges = sorted({start, end, *(start + timedelta(microseconds=int(length * c)) for c in cuts)})
    parts = split(location, (start, end), list(pairwise(edges)), energy)
    if None in parts:
        assert parts == [None] * len(parts)  # flat: the split by time applies
        return
    assert sum(p for p in parts if p is not None) == energy
    assert all(p is not None and p >= 0 for p in parts)
    for (a, b), part in zip(pairwise(edges), parts, strict=True):
        if part and b - a > timedelta(minutes=10):
            assert sun_is_up_during(location, a - timedelta(minutes=5), b + timedelta(minutes=5))


def test_a_part_wholly_at_night_gets_nothing_and_a_read_wholly_at_night_is_split_by_time() -> None:
    day, night = (DAY, DAY + timedelta(days=1)), (DAY + timedelta(hours=18), DAY + timedelta(hours=24))
    hours = [(DAY + timedelta(hours=a), DAY + timedelta(hours=b)) for a, b in ((19, 23), (8, 10), (18, 20))]
    # Nairobi: sun up about 03:30 – 15:45 UTC
    evening, morning = split(NAIROBI, day, hours[:2], 1_000_000)
    [wholly_at_night] = split(NAIROBI, night, hours[2:], 600)
    assert evening == 0
    assert morning is not None
    assert morning > 2 * 1_000_000 // 12
    assert wholly_at_night is None


def issue_until(until: datetime):
    p = platform.current()
    with p.db.unit_of_work() as session:
        return service.run_until(session, until, p.clock.now())


def send_day(app, developer) -> None:
    response = app.test_client().post(
        "/api/v1/devices/D1/reads",
        headers=developer.auth,
        json={
            "type": "delta",
            "unit": "Wh",
            "reads": [
                {"end": DAY.isoformat(), "value": 0},
                {"end": (DAY + timedelta(days=1)).isoformat(), "value": 100_001},
            ],
        },
    )
    assert response.json["rejected"] == 0, response.json
    assert response.json["flagged"] == 0, response.json


def a_day_of_reads(app):  # type: ignore[no-untyped-def]
    """A developer's 50 kW device in Nairobi with one read of 100,001 Wh over DAY, and a buyer."""
    clock = platform.current().clock
    clock.set(T0)
    developer = make_org("Dev")
    device = make_device(developer, "D1", capacity_kw="50")
    buyer = make_org("Buyer", OrganizationType.BUYER)
    clock.set(T0 + timedelta(days=5))
    send_day(app, developer)
    return developer, device, buyer


def test_hourly_certificates_of_a_solar_device_carry_no_night_time_energy(app) -> None:
    _, device, buyer = a_day_of_reads(app)
    make_reservation(buyer, [device], DAY, DAY + timedelta(days=1), frequency="hourly")
    certificates = issue_until(DAY + timedelta(days=1))
    assert sum(c.volume_wh for c in certificates) == 100_001
    assert {c.rule_versions[-1] for c in certificates} == {SplitRule.SOLAR}
    for certificate in certificates:
        assert sun_is_up_during(NAIROBI, certificate.window_start, certificate.window_end)
    hours = {c.window_start.hour for c in certificates}
    assert hours.isdisjoint({16, 17, 18, 19, 20, 21, 22, 23, 0, 1, 2})
    explanation = app.test_client().get(
        f"/api/v1/certificates/{certificates[0].id}/explanation?device_id={device.id}", headers=buyer.auth
    )
    assert explanation.json["split_rule"].startswith("split-solar/1")
    assert SplitRule.SOLAR in explanation.json["rule_versions"]
    [part] = explanation.json["devices"][0]["parts"]
    assert part["energy_wh"] == certificates[0].volume_wh


def test_a_reservation_made_under_the_split_by_time_keeps_it(app) -> None:
    _, device, buyer = a_day_of_reads(app)
    reservation = make_reservation(buyer, [device], DAY, DAY + timedelta(days=1), frequency="hourly")
    made_under(reservation, SplitRule.TIME)
    certificates = issue_until(DAY + timedelta(days=1))
    assert [c.volume_wh for c in certificates] == [100_001 * (k + 1) // 24 - 100_001 * k // 24 for k in range(24)]
    night = certificates[0]
    assert night.rule_versions[-1] == SplitRule.TIME
    explanation = app.test_client().get(
        f"/api/v1/certificates/{night.id}/explanation?device_id={device.id}", headers=buyer.auth
    )
    assert explanation.json["split_rule"].startswith("split-time/1")
    assert explanation.json["devices"][0]["parts"][0]["energy_wh"] == 4_166


def test_the_ledger_cuts_a_read_of_a_solar_reservation_as_issuance_did(app) -> None:
    developer, device, buyer = a_day_of_reads(app)
    make_reservation(buyer, [device], DAY, DAY + timedelta(days=1), frequency="hourly")
    noon = DAY + timedelta(hours=12)
    morning = sum(c.volume_wh for c in issue_until(noon))
    assert morning > 100_001 // 2  # the sun shone more before noon (UTC) in Nairobi

    def ledger(start: datetime, end: datetime) -> dict:
        response = app.test_client().get(
            "/api/v1/devices/D1/ledger",
            query_string={"from": start.isoformat(), "to": end.isoformat()},
            headers=developer.auth,
        )
        assert response.status_code == 200, response.json
        return response.json

    before, after = ledger(DAY, noon), ledger(noon, DAY + timedelta(days=1))
    assert before["certified_wh"] == morning
    assert after["waiting"]["window_open_wh"] == 100_001 - morning
    assert before["reported_wh"] + after["reported_wh"] == ledger(DAY, DAY + timedelta(days=1))["reported_wh"]
