"""Device groups (R-IREC-0): automatic by organization, country, fuel and device type; developers regroup."""

from datetime import UTC, datetime

from dapp import platform
from dapp.models.accounts import OrganizationType
from tests.factories.accounts import make_org
from tests.factories.devices import make_device
from tests.factories.irec import approve_groups, group_of

T0 = datetime(2026, 6, 1, tzinfo=UTC)


def test_devices_are_grouped_by_organization_country_fuel_and_type(app) -> None:
    platform.current().clock.set(T0)
    sunny, other = make_org("Sunny Developers"), make_org("Other Developers")
    roof_1, roof_2 = make_device(sunny, "ROOF-1"), make_device(sunny, "ROOF-2")
    ground = make_device(sunny, "GROUND-1", device_type_code="TC110")
    uganda = make_device(sunny, "UGA-1", country="UGA", latitude=None, longitude=None, timezone="Africa/Kampala")
    foreign = make_device(other, "ROOF-1")
    assert group_of(roof_1).id == group_of(roof_2).id
    assert len({group_of(d).id for d in (roof_1, ground, uganda, foreign)}) == 4
    group = group_of(ground)
    assert (group.country_code, group.fuel_code, group.device_type_code, group.is_automatic) == (
        "KEN", "ES100", "TC110", True,
    )  # fmt: skip
    assert group.registration_status == "not_registered"


def test_a_developer_regroups_devices_and_sees_their_status(app) -> None:
    platform.current().clock.set(T0)
    sunny = make_org("Sunny Developers")
    roof, ground = make_device(sunny, "ROOF-1"), make_device(sunny, "GROUND-1", device_type_code="TC110")
    client = app.test_client()
    answer = client.post(
        "/api/v1/irec/device-groups",
        headers=sunny.auth,
        json={"name": "Kisumu portfolio", "device_ids": [str(roof.id), str(ground.id)]},
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["name"] == "Kisumu portfolio"
    assert sorted(d["external_id"] for d in answer.json["devices"]) == ["GROUND-1", "ROOF-1"]
    listed = client.get("/api/v1/irec/device-groups", headers=sunny.auth).json["items"]
    assert [(g["name"], g["registration_status"]) for g in listed] == [("Kisumu portfolio", "not_registered")]


def test_a_group_has_one_country_and_fuel(app) -> None:
    platform.current().clock.set(T0)
    sunny = make_org("Sunny Developers")
    kenya = make_device(sunny, "KEN-1")
    uganda = make_device(sunny, "UGA-1", country="UGA", latitude=None, longitude=None, timezone="Africa/Kampala")
    answer = app.test_client().post(
        "/api/v1/irec/device-groups",
        headers=sunny.auth,
        json={"name": "Mixed", "device_ids": [str(kenya.id), str(uganda.id)]},
    )
    assert answer.status_code == 422
    assert answer.json["code"] == "group_mixes_countries_or_fuels"
    assert "KEN/ES100" in answer.json["detail"]
    assert "UGA/ES100" in answer.json["detail"]


def test_a_developer_cannot_group_another_organizations_devices(app) -> None:
    platform.current().clock.set(T0)
    sunny, other = make_org("Sunny Developers"), make_org("Other Developers")
    foreign = make_device(other, "THEIRS-1")
    answer = app.test_client().post(
        "/api/v1/irec/device-groups", headers=sunny.auth, json={"name": "Mine", "device_ids": [str(foreign.id)]}
    )
    assert answer.status_code == 404
    assert answer.json["code"] == "devices_not_found"
    assert group_of(foreign).organization_id == other.actor.organization_id


def test_devices_of_an_approved_group_cannot_move(app) -> None:
    platform.current().clock.set(T0)
    sunny = make_org("Sunny Developers")
    roof = make_device(sunny, "ROOF-1")
    approve_groups(roof)
    answer = app.test_client().post(
        "/api/v1/irec/device-groups", headers=sunny.auth, json={"name": "Elsewhere", "device_ids": [str(roof.id)]}
    )
    assert answer.status_code == 409
    assert answer.json["code"] == "devices_in_registered_group"
    assert group_of(roof).registration_status == "approved"


def test_an_organization_sees_only_its_own_groups(app) -> None:
    platform.current().clock.set(T0)
    make_device(make_org("Sunny Developers"), "ROOF-1")
    other = make_org("Other Developers")
    assert app.test_client().get("/api/v1/irec/device-groups", headers=other.auth).json == {"items": []}
    buyer = make_org("Green Buyer", OrganizationType.BUYER)  # buyers hold no devices at all (R-ACC-5)
    assert app.test_client().get("/api/v1/irec/device-groups", headers=buyer.auth).status_code == 403
