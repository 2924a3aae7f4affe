"""The I-REC pages: a developer's groups with their registration status; the admin's registry queue."""

from datetime import UTC, datetime

from dapp import platform
from tests.factories.accounts import make_org, make_platform_admin, signed_in
from tests.factories.conversion import certify_and_mint, irec_market
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


def test_the_admin_dashboard_shows_the_registry_queue_and_its_failures(app) -> None:
    market = irec_market(app, days=2)
    irec.behave(reject_with="Metering evidence missing")
    certify_and_mint(until_day=2)
    irec.sync()
    irec.reset()
    make_device(market.developer, "ROOF-2", device_type_code="TC110")  # a second group, never submitted
    irec.sync()
    make_platform_admin(OPERATOR)
    operator = signed_in(app, OPERATOR)
    page = operator.client.get("/admin").get_data(as_text=True)
    assert 'class="irec-groups" data-state="approved">1<' in page
    assert 'class="irec-groups" data-state="not_registered">1<' in page
    assert 'class="irec-requests" data-state="rejected">1<' in page
    assert '<span id="irec-failed">1</span> issue requests need a decision' in page
    assert 'href="/admin/irec/issue-requests"' in page
    assert "irec-registry-error" not in page


def test_the_admin_dashboard_says_when_the_registry_does_not_answer(app) -> None:
    platform.current().clock.set(T0)
    make_platform_admin(OPERATOR)
    operator = signed_in(app, OPERATOR)
    settings = platform.current().settings
    url, settings.irec_registry_url = settings.irec_registry_url, "http://127.0.0.1:9"
    try:
        response = operator.client.get("/admin")
    finally:
        settings.irec_registry_url = url
    assert response.status_code == 200
    assert "The I-REC registry could not be asked" in response.get_data(as_text=True)
