"""Registering, editing and deleting devices through the service: every rule of R-DEV-2, R-DEV-3 and R-DEV-6."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dapp import platform
from dapp.devices.schemas import DeviceCreate, DeviceUpdate
from dapp.devices.service import registry as service
from dapp.errors import Conflict, DomainError, Invalid, NotFound
from dapp.models.audit import AuditEntry
from dapp.models.devices import Device
from tests.factories.accounts import make_org
from tests.factories.devices import make_device

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def org(app, settings):
    platform.current().clock.set(NOW)
    return make_org("Sunny Developers")


def create(org, at=NOW, **fields):
    values = {
        "external_id": "DEV-1",
        "country_code": "KEN",
        "commissioning_date": date(2026, 1, 15),
        "capacity_kw": Decimal("5"),
        "fuel_code": "ES100",
        "device_type_code": "TC120",
        **fields,
    }
    with platform.current().db.unit_of_work() as session:
        return service.create(session, org.actor, at, DeviceCreate(**values))


def update(org, current_id, at=NOW, **fields):
    with platform.current().db.unit_of_work() as session:
        return service.update(session, org.actor, at, current_id, DeviceUpdate(**fields))


def delete(org, external_id):
    with platform.current().db.unit_of_work() as session:
        service.delete_device(session, org.actor, NOW, external_id)


def problem_of(error: DomainError) -> tuple[str, list[str]]:
    return error.code, [item["field"] for item in error.extra.get("errors", [])]


def test_a_device_gets_a_uuid_its_onboarding_instant_and_every_r_dev_1_field(org) -> None:
    device = create(
        org,
        project_name="Kisumu homes",
        off_taker="residential",
        device_description="solar home system",
        impact_story="Lights for homework.",
        sdg_benefits=["sdg7", "SDG4", "SDG7"],
        address="Plot 12",
        quality_labels="Lighting Global",
        grid_interconnection=True,
        energy_storage=True,
        energy_storage_capacity_kwh=Decimal("2.4"),
        latitude=Decimal("-0.0917"),
        longitude=Decimal("34.768"),
        yield_kwh_per_kwp=Decimal("1600"),
    )
    with platform.current().db.unit_of_work() as session:
        stored = session.get_one(Device, device.id)
        assert stored.onboarded_at == NOW
        assert stored.off_taker == "Residential"
        assert stored.device_description == "Solar Home System"
        assert stored.sdg_benefits == ["SDG4", "SDG7"]
        assert stored.timezone == "Africa/Nairobi"
        assert (stored.energy_storage, stored.energy_storage_capacity_kwh) == (True, Decimal("2.400"))


@pytest.mark.parametrize(
    ("latitude", "longitude", "zone"),
    [
        ("-33.8688", "151.2093", "Australia/Sydney"),  # south, east
        ("-22.9068", "-43.1729", "America/Sao_Paulo"),  # south, west
        ("40.7128", "-74.0060", "America/New_York"),  # north, west
        ("-90", "-180", None),  # the corners of the ranges are accepted
        ("90", "180", None),
    ],
)
def test_coordinates_of_every_hemisphere_are_accepted_and_give_the_zone(org, latitude, longitude, zone) -> None:
    country = {"Australia/Sydney": "AUS", "America/Sao_Paulo": "BRA", "America/New_York": "USA"}.get(zone, "KEN")
    device = create(org, country_code=country, latitude=Decimal(latitude), longitude=Decimal(longitude))
    assert device.latitude == Decimal(latitude)
    if zone:
        assert device.timezone == zone


@pytest.mark.parametrize(("field", "value"), [("latitude", "-90.5"), ("latitude", "91"), ("longitude", "180.1")])
def test_coordinates_out_of_range_are_refused(org, field, value) -> None:
    with pytest.raises(ValidationError) as caught:
        create(org, **{field: Decimal(value), ("longitude" if field == "latitude" else "latitude"): Decimal(0)})
    assert field in str(caught.value)


def test_latitude_without_longitude_is_refused(org) -> None:
    with pytest.raises(Invalid) as caught:
        create(org, latitude=Decimal("-1.2"))
    assert problem_of(caught.value) == ("coordinates_incomplete", ["longitude"])


@pytest.mark.parametrize("external_id", [" leading space", "trailing space ", "hash#1", "slash/1", "x" * 65, ""])
def test_external_ids_outside_the_charset_are_refused(org, external_id) -> None:
    with pytest.raises(ValidationError, match="external_id"):
        create(org, external_id=external_id)


def test_an_external_id_is_unique_in_an_organization_whatever_its_case(org) -> None:
    create(org, external_id="SHS-1")
    with pytest.raises(Conflict) as caught:
        create(org, external_id="shs-1")
    assert problem_of(caught.value) == ("external_id_taken", ["external_id"])


def test_another_organization_may_use_the_same_external_id(org) -> None:
    create(org, external_id="SHS-1")
    other = make_org("Other Developers")
    assert create(other, external_id="SHS-1").organization_id == other.actor.organization_id


def test_the_database_refuses_a_duplicate_external_id_that_slips_past_the_check(org) -> None:
    create(org, external_id="SHS-1")
    p = platform.current()
    with pytest.raises(IntegrityError, match="uq_device_org_external_id"), p.db.unit_of_work() as session:  # noqa: PT012
        device = service.create(session, org.actor, NOW, DeviceCreate(**_minimal("OTHER")))
        session.flush()
        device.external_id = "shs-1"
        session.flush()


def _minimal(external_id: str) -> dict:
    return {
        "external_id": external_id,
        "country_code": "KEN",
        "commissioning_date": date(2026, 1, 15),
        "capacity_kw": Decimal("5"),
        "fuel_code": "ES100",
        "device_type_code": "TC120",
    }


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("fuel_code", "ES430", "ES100"),
        ("device_type_code", "TC999", "TC110, TC120, TC130, TC140, TC150"),
        ("off_taker", "Hospital", "School, Health Facility"),
        ("device_description", "Wind Turbine", "Solar Lantern, Solar Home System"),
        ("sdg_benefits", ["SDG18"], "SDG1, SDG2"),
    ],
)
def test_unknown_codes_are_refused_with_the_accepted_values(org, field, value, accepted) -> None:
    with pytest.raises(Invalid) as caught:
        create(org, **{field: value})
    assert problem_of(caught.value) == ("unknown_value", [field])
    assert accepted in caught.value.detail


def test_an_unknown_country_is_refused(org) -> None:
    with pytest.raises(Invalid) as caught:
        create(org, country_code="XYZ")
    assert problem_of(caught.value) == ("unknown_country", ["country_code"])


@pytest.mark.parametrize("capacity", ["0", "-1", "1000000.001"])
def test_capacity_must_be_above_zero_and_at_most_a_gigawatt(org, capacity) -> None:
    with pytest.raises(ValidationError, match="capacity_kw"):
        create(org, capacity_kw=Decimal(capacity))


def test_a_capacity_of_exactly_one_gigawatt_is_accepted(org) -> None:
    assert create(org, capacity_kw=Decimal("1000000")).capacity_kw == Decimal("1000000")


def test_commissioning_in_the_future_is_refused(org) -> None:
    with pytest.raises(Invalid) as caught:
        create(org, commissioning_date=NOW.date() + timedelta(days=1))
    assert problem_of(caught.value) == ("commissioning_in_future", ["commissioning_date"])


def test_commissioning_today_in_the_devices_zone_is_accepted(org) -> None:
    # 22:30 UTC on 1 June is already 2 June in Nairobi (UTC+3).
    late_evening = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
    device = create(
        org, at=late_evening, commissioning_date=date(2026, 6, 2), latitude=Decimal(-1), longitude=Decimal(37)
    )
    assert device.commissioning_date == date(2026, 6, 2)


def test_a_storage_capacity_without_energy_storage_is_refused(org) -> None:
    with pytest.raises(Invalid) as caught:
        create(org, energy_storage_capacity_kwh=Decimal("3"))
    assert problem_of(caught.value) == ("storage_capacity_without_storage", ["energy_storage_capacity_kwh"])


def test_a_negative_storage_capacity_is_refused(org) -> None:
    with pytest.raises(ValidationError, match="energy_storage_capacity_kwh"):
        create(org, energy_storage=True, energy_storage_capacity_kwh=Decimal("-1"))


def test_several_problems_are_reported_together(org) -> None:
    with pytest.raises(Invalid) as caught:
        create(org, fuel_code="X", off_taker="Y", energy_storage_capacity_kwh=Decimal(1))
    assert sorted(problem_of(caught.value)[1]) == ["energy_storage_capacity_kwh", "fuel_code", "off_taker"]


def test_a_country_with_several_zones_needs_coordinates_or_a_choice_among_its_zones(org) -> None:
    with pytest.raises(Invalid) as caught:
        create(org, country_code="USA")
    assert problem_of(caught.value) == ("timezone_required", ["timezone"])
    assert "America/New_York" in caught.value.detail
    with pytest.raises(Invalid) as caught:
        create(org, country_code="USA", timezone="Africa/Nairobi")
    assert problem_of(caught.value) == ("timezone_not_in_country", ["timezone"])
    assert create(org, country_code="USA", timezone="America/Chicago").timezone == "America/Chicago"


def test_a_country_with_one_zone_gives_it_without_coordinates(org) -> None:
    assert create(org, country_code="NGA").timezone == "Africa/Lagos"


def test_editing_changes_the_fields_sent_and_keeps_the_onboarding_instant(org) -> None:
    create(org, external_id="SHS-1")
    later = NOW + timedelta(days=3)
    device = update(org, "SHS-1", at=later, capacity_kw=Decimal("7.5"), off_taker="School", sdg_benefits=["SDG4"])
    assert (device.capacity_kw, device.off_taker, device.sdg_benefits) == (Decimal("7.5"), "School", ["SDG4"])
    assert device.onboarded_at == NOW
    assert device.updated_at == later


def test_editing_applies_the_same_rules_as_registering(org) -> None:
    make_device(org, "SHS-1")
    with pytest.raises(Invalid) as caught:
        update(org, "SHS-1", energy_storage_capacity_kwh=Decimal(4))
    assert problem_of(caught.value) == ("storage_capacity_without_storage", ["energy_storage_capacity_kwh"])
    with pytest.raises(Invalid) as caught:
        update(org, "SHS-1", capacity_kw=None)
    assert problem_of(caught.value) == ("required", ["capacity_kw"])


def test_moving_a_device_derives_its_zone_again(org) -> None:
    make_device(org, "SHS-1")
    device = update(org, "SHS-1", country_code="AUS", latitude=Decimal("-31.95"), longitude=Decimal("115.86"))
    assert device.timezone == "Australia/Perth"


def test_renaming_to_an_external_id_in_use_is_a_conflict(org) -> None:
    make_device(org, "SHS-1")
    make_device(org, "SHS-2")
    with pytest.raises(Conflict) as caught:
        update(org, "SHS-1", external_id="shs-2")
    assert caught.value.code == "external_id_taken"


def test_another_organizations_device_is_not_found(org) -> None:
    make_device(org, "SHS-1")
    other = make_org("Other Developers")
    with pytest.raises(NotFound):
        update(other, "SHS-1", capacity_kw=Decimal(1))
    with pytest.raises(NotFound):
        delete(other, "SHS-1")


def test_deleting_removes_a_device_without_certified_energy(org) -> None:
    make_device(org, "SHS-1")
    delete(org, "SHS-1")
    with platform.current().db.unit_of_work() as session:
        assert session.scalar(select(Device)) is None


def test_create_update_and_delete_are_in_the_audit_log(org) -> None:
    make_device(org, "SHS-1")
    update(org, "SHS-1", capacity_kw=Decimal("6"))
    delete(org, "SHS-1")
    with platform.current().db.unit_of_work() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.subject_type == "device").order_by(AuditEntry.id)
        ).all()
        assert [e.action for e in entries] == ["device.create", "device.update", "device.delete"]
        assert (entries[1].before, entries[1].after) == ({"capacity_kw": "5.000"}, {"capacity_kw": "6"})
        assert entries[2].before["external_id"] == "SHS-1"
