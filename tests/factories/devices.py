"""Devices, projects and bulk-upload files made through the device services."""

import csv
import io
from datetime import date
from decimal import Decimal

from PIL import Image

from dapp import platform
from dapp.devices.bulk import template
from dapp.devices.schemas import DeviceCreate, ProjectCreate
from dapp.devices.service import projects
from dapp.devices.service import registry as service
from dapp.models.devices import Device, Project
from tests.factories.accounts import Org


def make_device(
    org: Org,
    external_id: str = "DEV-1",
    capacity_kw: str = "5",
    country: str = "KEN",
    commissioning: date = date(2026, 1, 15),
    **extra: object,
) -> Device:
    p = platform.current()
    fields = {"latitude": Decimal("-1.2921"), "longitude": Decimal("36.8219"), **extra}
    with p.db.unit_of_work() as session:
        return service.create(
            session,
            org.actor,
            p.clock.now(),
            DeviceCreate(
                external_id=external_id,
                country_code=country,
                commissioning_date=commissioning,
                capacity_kw=Decimal(capacity_kw),
                fuel_code=str(fields.pop("fuel_code", "ES100")),
                device_type_code=str(fields.pop("device_type_code", "TC120")),
                **fields,
            ),
        )


def make_project(org: Org, name: str = "Kisumu homes", **extra: object) -> Project:
    p = platform.current()
    with p.db.unit_of_work() as session:
        return projects.create(session, org.actor, p.clock.now(), ProjectCreate(name=name, **extra))


GOOD_ROW = {
    "external_id": "CSV-1",
    "country_code": "KEN",
    "commissioning_date": "2025-03-31",
    "capacity_kw": "5.5",
    "fuel_code": "ES100",
    "device_type_code": "TC120",
    "latitude": "-0.0917",
    "longitude": "34.768",
}


def csv_bytes(rows: list[dict[str, str]], columns: list[str] | None = None) -> bytes:
    """A CSV file (UTF-8) with `columns` (default: every template column) and one line per row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns or template.NAMES, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


# Longyearbyen, Svalbard: in June the sun never sets, so reads at any hour pass the clear-sky check (R-READ-8).
# Issuance tests use it to place reads at any hour of the day without tripping physical plausibility.
MIDNIGHT_SUN = {"country": "NOR", "latitude": Decimal("78.2232"), "longitude": Decimal("15.6267")}


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (4, 3), exif: bytes | None = None) -> bytes:
    """A real image of `size` pixels in `image_format`, written by Pillow (with EXIF data when given)."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 30)).save(out, format=image_format, **({"exif": exif} if exif else {}))
    return out.getvalue()
