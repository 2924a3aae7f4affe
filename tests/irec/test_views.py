"""The I-REC pages: a developer's groups with their registration status; the admin's registry queue."""

from datetime import UTC, datetime

from dapp import platform
from tests.factories.accounts import make_org, make_platform_admin, signed_in
from tests.factories.devices import make_device
from tests.factories.irec import group_of
from tests.support import irec

T0 = datetime(2026, 6, 1, tzinfo=UTC)
OPERATOR = "operator@platform.example"


def test_an_admin_submits_from_the_queue_and_the_developer_sees_the_rejection_reason(app) -> None:
    platform.current().clock.set(T0)
    irec.reset()
    sunny = make_org("Sunny Developers")
    device = make_device(sunny, "ROOF-1")
    group = group_of(device)
    make_platform_admin(OPERATOR)
    operator = signed_in(app, OPERATOR)
    queue = operator.client.get("/admin/irec/device-groups").get_data(as_text=True)
    assert f'data-id="{group.id}" data-status="not_registered"' in queue
    irec.behave(reject_with="Site photos missing")
    assert operator.form(f"/admin/irec/device-groups/{group.id}/submit", {}).status_code == 302
    irec.sync()
    irec.reset()
    developer = signed_in(app, sunny.email)
    page = developer.client.get("/irec/device-groups").get_data(as_text=True)
    assert f'data-id="{group.id}" data-status="rejected"' in page
    assert "Site photos missing" in page
    assert "ROOF-1" in page


def test_a_developer_regroups_devices_from_the_page(app) -> None:
    platform.current().clock.set(T0)
    sunny = make_org("Sunny Developers")
    roof, ground = make_device(sunny, "ROOF-1"), make_device(sunny, "GROUND-1", device_type_code="TC110")
    developer = signed_in(app, sunny.email)
    moved = developer.form("/irec/device-groups", {"name": "Kisumu", "device_ids": [str(roof.id), str(ground.id)]})
    assert moved.status_code == 302
    assert group_of(roof).id == group_of(ground).id
    assert group_of(roof).name == "Kisumu"
    refused = developer.form("/irec/device-groups", {"name": "", "device_ids": [str(roof.id)]})
    assert refused.status_code == 302
    assert group_of(roof).name == "Kisumu"
