"""/api/v1/devices (R-DEV, R-API-1): CRUD by external id, filters, sorting, pagination, isolation, permissions."""

from datetime import UTC, date, datetime, timedelta

import pytest

from dapp import platform
from dapp.models.accounts import OrganizationType
from tests.factories.accounts import make_org
from tests.factories.devices import make_device
from tests.factories.reservations import make_reservation

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
BODY = {
    "external_id": "SHS-001",
    "country_code": "KEN",
    "commissioning_date": "2025-01-15",
    "capacity_kw": "5",
    "fuel_code": "ES100",
    "device_type_code": "TC120",
    "latitude": "-1.2921",
    "longitude": "36.8219",
    "sdg_benefits": ["SDG7"],
    "energy_storage": True,
    "energy_storage_capacity_kwh": "2.5",
}


@pytest.fixture
def client(app, settings):
    platform.current().clock.set(NOW)
    return app.test_client()


@pytest.fixture
def dev(client):
    return make_org("Sunny Developers")


def test_a_device_is_created_read_changed_and_deleted_by_external_id(client, dev) -> None:
    created = client.post("/api/v1/devices", json=BODY, headers=dev.auth)
    assert created.status_code == 201, created.json
    assert created.json["timezone"] == "Africa/Nairobi"
    assert created.json["sdg_benefits"] == ["SDG7"]
    assert client.get("/api/v1/devices/shs-001", headers=dev.auth).json["id"] == created.json["id"]
    patched = client.patch("/api/v1/devices/SHS-001", json={"off_taker": "School", "address": None}, headers=dev.auth)
    assert patched.status_code == 200, patched.json
    assert patched.json["off_taker"] == "School"
    deleted = client.delete("/api/v1/devices/SHS-001", headers=dev.auth)
    assert deleted.status_code == 200
    assert client.get("/api/v1/devices/SHS-001", headers=dev.auth).status_code == 404


def test_null_in_a_patch_clears_optional_fields(client, dev) -> None:
    client.post("/api/v1/devices", json={**BODY, "off_taker": "School"}, headers=dev.auth)
    cleared = {"sdg_benefits": None, "energy_storage": None, "energy_storage_capacity_kwh": None, "off_taker": None}
    patched = client.patch("/api/v1/devices/SHS-001", json=cleared, headers=dev.auth)
    assert patched.status_code == 200, patched.json
    assert [patched.json[k] for k in cleared] == [[], False, None, None]
    required = client.patch("/api/v1/devices/SHS-001", json={"country_code": None}, headers=dev.auth)
    assert (required.status_code, required.json["code"]) == (422, "required")


def test_an_invalid_field_gives_a_problem_naming_the_field_and_the_accepted_values(client, dev) -> None:
    response = client.post("/api/v1/devices", json={**BODY, "device_type_code": "TC999"}, headers=dev.auth)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "unknown_value"
    assert response.json["errors"][0]["field"] == "device_type_code"
    assert "TC110, TC120, TC130, TC140, TC150" in response.json["detail"]


def test_a_duplicate_external_id_is_a_409_in_the_organization_only(client, dev) -> None:
    assert client.post("/api/v1/devices", json=BODY, headers=dev.auth).status_code == 201
    again = client.post("/api/v1/devices", json={**BODY, "external_id": "shs-001"}, headers=dev.auth)
    assert (again.status_code, again.json["code"]) == (409, "external_id_taken")
    other = make_org("Other Developers")
    assert client.post("/api/v1/devices", json=BODY, headers=other.auth).status_code == 201


def test_another_organizations_device_is_404_for_every_method(client, dev) -> None:
    make_device(dev, "SHS-001")
    other = make_org("Other Developers")
    assert client.get("/api/v1/devices/SHS-001", headers=other.auth).status_code == 404
    assert client.patch("/api/v1/devices/SHS-001", json={"capacity_kw": "1"}, headers=other.auth).status_code == 404
    assert client.delete("/api/v1/devices/SHS-001", headers=other.auth).status_code == 404
    assert client.get("/api/v1/devices", headers=other.auth).json["total"] == 0


@pytest.mark.parametrize(
    ("method", "permission"), [("POST", "WRITE"), ("PATCH", "UPDATE"), ("DELETE", "DELETE"), ("GET", "READ")]
)
def test_each_method_needs_its_permission_on_devices(client, dev, method, permission) -> None:
    make_device(dev, "SHS-001")
    others = [p for p in ("READ", "WRITE", "UPDATE", "DELETE") if p != permission]
    narrow = make_org("Narrow Keys", permissions={"devices": others})
    path = "/api/v1/devices" if method == "POST" else "/api/v1/devices/SHS-001"
    response = client.open(path, method=method, json=BODY if method != "GET" else None, headers=narrow.auth)
    assert response.status_code == 403
    assert (response.json["module"], response.json["permission"]) == ("devices", permission)


def test_a_device_with_certified_energy_cannot_be_deleted_nor_renamed(client, dev) -> None:
    from tests.devices.test_certified import certify  # the shared certification helper

    device = make_device(dev, "D1", capacity_kw="50", commissioning=date(2025, 1, 1))
    certify(client, dev, device)
    refused = client.delete("/api/v1/devices/D1", headers=dev.auth)
    assert (refused.status_code, refused.json["code"]) == (409, "device_has_certified_energy")
    locked = client.patch("/api/v1/devices/D1", json={"external_id": "D2", "country_code": "NGA"}, headers=dev.auth)
    assert (locked.status_code, locked.json["code"]) == (422, "validation_failed")
    assert {e["field"] for e in locked.json["errors"]} == {"external_id", "country_code"}
    assert {e["code"] for e in locked.json["errors"]} == {"locked_after_certification"}
    allowed = client.patch("/api/v1/devices/D1", json={"capacity_kw": "60", "off_taker": "School"}, headers=dev.auth)
    assert allowed.status_code == 200, allowed.json


def many(dev) -> None:
    make_device(dev, "A1", capacity_kw="1", country="KEN", commissioning=date(2024, 1, 1), sdg_benefits=["SDG7"])
    make_device(dev, "B2", capacity_kw="20", country="NGA", commissioning=date(2025, 1, 1), off_taker="School")
    make_device(
        dev,
        "C3",
        capacity_kw="300",
        country="KEN",
        commissioning=date(2026, 1, 1),
        device_type_code="TC110",
        sdg_benefits=["SDG4", "SDG13"],
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["C3", "B2", "A1"]),
        ("country=KEN", ["C3", "A1"]),
        ("country=KEN,NGA", ["C3", "B2", "A1"]),
        ("device_type=TC110", ["C3"]),
        ("off_taker=School", ["B2"]),
        ("capacity_min=10&capacity_max=300", ["C3", "B2"]),
        ("sdg=SDG13&sdg=sdg7", ["C3", "A1"]),
        ("commissioned_from=2024-06-01&commissioned_to=2025-12-31", ["B2"]),
        ("sort=capacity_kw&order=asc", ["A1", "B2", "C3"]),
        ("sort=external_id&order=desc", ["C3", "B2", "A1"]),
        ("sort=commissioning_date&order=asc&country=KEN", ["A1", "C3"]),
    ],
)
def test_the_list_filters_and_sorts_on_the_server(client, dev, query, expected) -> None:
    many(dev)
    response = client.get(f"/api/v1/devices?{query}", headers=dev.auth)
    assert response.status_code == 200, response.json
    assert [d["external_id"] for d in response.json["items"]] == expected
    assert response.json["total"] == len(expected)


def test_the_list_is_paginated_with_the_total_of_the_filter(client, dev) -> None:
    for n in range(5):
        make_device(dev, f"P{n}", capacity_kw=str(n + 1))
    page = client.get("/api/v1/devices?sort=capacity_kw&order=asc&page=2&size=2", headers=dev.auth).json
    assert ([d["external_id"] for d in page["items"]], page["total"], page["page"]) == (["P2", "P3"], 5, 2)


def test_the_reservation_status_filter_uses_the_reservations(client, dev) -> None:
    many(dev)
    buyer = make_org("Green Buyer", OrganizationType.BUYER)
    with platform.current().db.unit_of_work() as session:
        from sqlalchemy import select

        from dapp.models.devices import Device

        b2 = session.scalar(select(Device).where(Device.external_id == "B2"))
    make_reservation(buyer, [b2], NOW - timedelta(days=1), NOW + timedelta(days=30))
    reserved = client.get("/api/v1/devices?reservation=reserved", headers=dev.auth).json
    free = client.get("/api/v1/devices?reservation=unreserved", headers=dev.auth).json
    assert [d["external_id"] for d in reserved["items"]] == ["B2"]
    assert [d["external_id"] for d in free["items"]] == ["C3", "A1"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("capacity_min=lots", "capacity_min"),
        ("commissioned_from=yesterday", "commissioned_from"),
        ("sort=color", "sort"),
        ("reservation=maybe", "reservation"),
        ("colour=red", "colour"),
        ("size=500", "size"),
    ],
)
def test_a_wrong_filter_is_a_422_naming_it(client, dev, query, field) -> None:
    response = client.get(f"/api/v1/devices?{query}", headers=dev.auth)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json["errors"]]


def test_the_api_is_documented_in_openapi_with_the_accepted_codes(client) -> None:
    document = client.get("/api/openapi.json").json
    assert {"get", "post"} <= set(document["paths"]["/api/v1/devices"])
    assert {"get", "patch", "delete"} <= set(document["paths"]["/api/v1/devices/{external_id}"])
    assert {"get", "post"} <= set(document["paths"]["/api/v1/device-uploads"])
    create = document["components"]["schemas"]["DeviceCreate"]["properties"]
    assert create["device_type_code"]["enum"] == ["TC110", "TC120", "TC130", "TC140", "TC150"]
