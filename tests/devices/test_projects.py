"""Projects (R-DEV-8): developer device groups with impact story, SDGs and images kept by CID."""

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from dapp import platform
from dapp.ipfs import cid_for_bytes
from dapp.models.accounts import OrganizationType
from tests.factories.accounts import make_org, signed_in
from tests.factories.devices import image_bytes, make_device, make_project
from tests.support.html import parse
from tests.support.journeys import Member, onboard

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
PNG = image_bytes("PNG")


@pytest.fixture
def client(app, settings):
    platform.current().clock.set(NOW)
    return app.test_client()


def test_a_project_is_created_changed_and_joined_by_devices(client) -> None:
    dev = make_org("Sunny Developers")
    created = client.post(
        "/api/v1/projects",
        json={"name": "Kisumu homes", "impact_story": "Light after dark.", "sdg_benefits": ["sdg7"]},
        headers=dev.auth,
    )
    assert created.status_code == 201, created.json
    assert created.json["sdg_benefits"] == ["SDG7"]
    project_id = created.json["id"]
    make_device(dev, "D1", project_id=project_id)
    patched = client.patch(f"/api/v1/projects/{project_id}", json={"sdg_benefits": ["SDG4"]}, headers=dev.auth)
    assert patched.json["sdg_benefits"] == ["SDG4"]
    assert client.get("/api/v1/devices/D1", headers=dev.auth).json["project_id"] == project_id


def test_project_rules_names_sdgs_and_isolation(client) -> None:
    dev = make_org("Sunny Developers")
    make_project(dev, "Kisumu homes")
    taken = client.post("/api/v1/projects", json={"name": "KISUMU HOMES"}, headers=dev.auth)
    assert (taken.status_code, taken.json["code"]) == (409, "project_name_taken")
    bad = client.post("/api/v1/projects", json={"name": "X", "sdg_benefits": ["SDG0"]}, headers=dev.auth)
    assert (bad.status_code, bad.json["code"]) == (422, "unknown_value")
    other = make_org("Other Developers")
    theirs = make_project(other, "Theirs")
    assert client.get(f"/api/v1/projects/{theirs.id}", headers=dev.auth).status_code == 404
    refused = client.post(
        "/api/v1/devices",
        headers=dev.auth,
        json={
            "external_id": "D9",
            "country_code": "KEN",
            "commissioning_date": "2025-01-01",
            "capacity_kw": "1",
            "fuel_code": "ES100",
            "device_type_code": "TC120",
            "project_id": str(theirs.id),
        },
    )
    assert (refused.status_code, refused.json["code"]) == (422, "project_not_found")


def test_images_are_kept_by_cid_and_only_images_are_accepted(client) -> None:
    dev = make_org("Sunny Developers")
    project = make_project(dev)
    added = client.post(
        f"/api/v1/projects/{project.id}/images", data=PNG, headers={**dev.auth, "Content-Type": "image/png"}
    )
    assert added.status_code == 201, added.json
    [cid] = added.json["image_cids"]
    kept = platform.current().content.get(cid)
    assert cid == cid_for_bytes(kept)
    assert _pixels(kept) == _pixels(PNG)
    refused = client.post(f"/api/v1/projects/{project.id}/images", data=b"<svg/>", headers=dev.auth)
    assert (refused.status_code, refused.json["code"]) == (422, "not_an_image")


def _pixels(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(io.BytesIO(data)) as image:
        return image.format, image.size, image.tobytes()


def _add_image(client, data: bytes):
    dev = make_org("Sunny Developers")
    project = make_project(dev)
    return client.post(
        f"/api/v1/projects/{project.id}/images", data=data, headers={**dev.auth, "Content-Type": "image/png"}
    )


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n<html><script>alert(document.cookie)</script></html>",  # the probe's "image"
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        image_bytes("PNG")[:40],  # cut short
        b"GIF89a<svg onload=alert(1)>",
    ],
)
def test_a_file_with_an_image_header_that_no_image_library_can_decode_is_refused(client, data: bytes) -> None:
    refused = _add_image(client, data)
    assert (refused.status_code, refused.json["code"]) == (422, "not_an_image")


def test_what_follows_an_image_is_not_kept_nor_its_metadata(client) -> None:
    exif = Image.Exif()
    exif[0x010E] = "GPS of the photographer's home"  # ImageDescription
    photo = image_bytes("JPEG", exif=exif.tobytes()) + b"<html><script>alert(1)</script></html>"
    added = _add_image(client, photo)
    assert added.status_code == 201, added.json
    kept = platform.current().content.get(added.json["image_cids"][0])
    assert b"<script>" not in kept
    assert b"photographer" not in kept
    assert _pixels(kept)[:2] == ("JPEG", (4, 3))


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(client) -> None:
    refused = _add_image(client, image_bytes("PNG", size=(8000, 6000)))
    assert (refused.status_code, refused.json["code"]) == (422, "image_too_large")


def test_a_buyer_sees_the_project_image_and_the_pages_work(app, settings, client) -> None:
    member: Member = onboard(app, settings.mail_dir, "developer", "Sunny Developers", "ada@sunny.example")
    created = member.form(
        "/projects", {"name": "Coast clinics", "impact_story": "Cold vaccines.", "sdg_benefits": "SDG3"}
    )
    assert created.status_code == 302
    project_path = created.headers["Location"]
    upload = member.client.post(
        f"{project_path}/images",
        data={"image": (io.BytesIO(PNG), "clinic.png"), "csrf_token": member.csrf},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    html = member.client.get(project_path).get_data(as_text=True)
    assert "Cold vaccines." in html
    assert "checked> SDG3" in html
    image_path = f"{project_path}/images/{cid_for_bytes(PNG)}"
    assert f'src="{image_path}"' in html
    buyer = onboard(app, settings.mail_dir, "buyer", "Green Buyer", "buyer@green.example")
    served = buyer.client.get(image_path)
    assert (served.status_code, served.mimetype, served.data) == (200, "image/png", PNG)
    assert make_org("B2", OrganizationType.BUYER)  # buyers are organizations like any other


def test_the_projects_page_lists_names_devices_carry_and_creating_one_takes_its_devices_in(app, client) -> None:
    dev = make_org("Sunny Developers")
    make_device(dev, "D1", project_name="Kibera rooftops")
    make_device(dev, "D2", project_name="KIBERA ROOFTOPS")
    make_device(dev, "D3", project_name="Lake homes")
    make_device(make_org("Other Developers"), "O1", project_name="Kibera rooftops")
    member = signed_in(app, dev.email)

    listed = parse(member.client.get("/projects").get_data(as_text=True)).find("ul", class_="unlinked")
    assert [item.text.split(")")[0] for item in listed.find_all("li")] == [
        "KIBERA ROOFTOPS (2 devices",  # one spelling of the name (its devices differ only in case)
        "Lake homes (1 device",
    ]
    created = member.form("/projects", {"name": "Kibera rooftops"})
    assert created.status_code == 302, created.get_data(as_text=True)
    project_id = client.get("/api/v1/devices/D1", headers=dev.auth).json["project_id"]
    assert project_id is not None
    assert client.get("/api/v1/devices/D2", headers=dev.auth).json["project_id"] == project_id
    assert client.get("/api/v1/devices/D3", headers=dev.auth).json["project_id"] is None
    listed = parse(member.client.get("/projects").get_data(as_text=True)).find("ul", class_="unlinked")
    assert [item.text.split(" (")[0] for item in listed.find_all("li")] == ["Lake homes"]
