"""Every page, for every role, at 390 px and 1366 px: no horizontal overflow and no serious or critical axe-core
violation; every page reachable by following links, and every page without parameters linked from the navigation
of the roles that may use it (issue 20, item 3)."""

import io
from datetime import timedelta

import pytest
from playwright.sync_api import Browser

from dapp import platform
from tests.e2e.audit import Audit
from tests.e2e.steps import new_context, sign_in
from tests.factories.accounts import make_org, make_platform_admin
from tests.factories.conversion import chain_job
from tests.factories.devices import GOOD_ROW, csv_bytes, make_device
from tests.factories.irec import approve_groups
from tests.irec.test_redemption import REDEMPTION, issued_market
from tests.issuance.test_claims import CLAIM
from tests.support import irec
from tests.support.journeys import Member
from tests.support.workers import run_indexer, settle
from tests.test_slice import build_slice, certificates

pytestmark = pytest.mark.browser

ADMIN = "operator@platform.example"
HOOK = "https://hooks.sunny.example/drec"
NAVIGATION = {
    "developer": {
        "devices.list_devices",
        "devices.new_device",
        "devices.list_uploads",
        "devices.list_projects",
        "reads.list_reads",
        "reads.new_read",
        "reads.upload_reads",
        "reads.device_ledger",
        "reservations.reserved_devices",
        "issuance.certified_reads",
        "issuance.gas_fees",
        "irec.device_groups",
        "organization.api_keys",
        "organization.show",
        "webhooks.list_webhooks",
        "audit.audit_log",
        "notify.list_notifications",
        "accounts.account",
    },
    "buyer": {
        "reservations.catalogue",
        "reservations.list_reservations",
        "issuance.list_certificates",
        "organization.api_keys",
        "organization.show",
        "webhooks.list_webhooks",
        "audit.audit_log",
        "notify.list_notifications",
        "accounts.account",
    },
    "admin": {
        "admin.dashboard",
        "reads.flagged_reads",
        "admin.chain_outbox",
        "irec.registry_queue",
        "irec.issue_requests",
        "reads.country_yields",
        "accounts.account",
    },
    "visitor": {"accounts.login", "accounts.register", "verify.search", "verify.public_register"},
}


def _world(app, settings) -> dict[str, str]:
    """The slice (a developer's device, reads, a buyer's reservation, a minted certificate), part of it claimed,
    a project, and a platform admin; returns the addresses the crawl starts from besides the home page."""
    journey = build_slice(app, settings)
    buyer, developer = journey["buyer"], journey["developer"]
    irec_buyer = _irec_redemption(app)  # certifies the slice's next windows too
    certificate = certificates(buyer)[0]  # the newest: the first row, whose claims page the crawl opens
    volume = min(1_000, certificate["volume_wh"])
    claim = buyer.api("POST", f"/api/v1/certificates/{certificate['id']}/claims", {**CLAIM, "volume_wh": volume})
    assert claim.status_code == 201, claim.json
    project = developer.api("POST", "/api/v1/projects", {"name": "Kibera rooftops", "sdg_benefits": ["SDG7"]})
    assert project.status_code == 201, project.json
    bad_row = {**GOOD_ROW, "external_id": "CSV-2", "device_type_code": "TC999"}
    upload = developer.client.post(
        "/api/v1/device-uploads",
        data={"file": (io.BytesIO(csv_bytes([GOOD_ROW, bad_row])), "devices.csv")},
        headers={"X-CSRFToken": developer.csrf},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 202, upload.json
    _irec_reservation(buyer)
    settle()
    webhook = developer.api("POST", "/api/v1/webhooks", {"url": HOOK, "events": ["reservation.created"]})
    assert webhook.status_code == 201, webhook.json
    make_platform_admin(ADMIN)
    return {
        "developer": journey["developer"].email,
        "buyer": journey["buyer"].email,
        "admin": ADMIN,
        "irec buyer": irec_buyer,
        "verify": f"/verify/certificates/{certificate['id']}",
    }


def _irec_reservation(buyer: Member) -> None:
    """The buyer also reserves, under I-REC, the device of another developer whose group the registry approved."""
    device = make_device(make_org("Rift Solar"), "IREC-1")
    approve_groups(device)
    start = platform.current().clock.now()
    reservation = buyer.api(
        "POST",
        "/api/v1/reservations",
        {
            "name": "Kenya I-REC 2026",
            "start": start.isoformat(),
            "end": (start + timedelta(days=30)).isoformat(),
            "frequency": "daily",
            "standard": "I-REC",
            "authority_to_exceed": True,
            "device_ids": [str(device.id)],
        },
    )
    assert reservation.status_code == 201, reservation.json


def _irec_redemption(app) -> str:  # type: ignore[no-untyped-def]
    """A second buyer with two certificates issued as I-REC, the first redeemed; returns its email."""
    market, _ = issued_market(app, names=("Rift Valley Power", "Scope Two Buyer"))
    client = app.test_client()
    issued = client.get("/api/v1/certificates?standard_state=irec_issued", headers=market.buyer.auth).json["items"]
    assert len(issued) == 2, issued
    answer = client.post(
        f"/api/v1/irec/certificates/{issued[-1]['id']}/redemption", headers=market.buyer.auth, json=REDEMPTION
    )
    assert answer.status_code == 202, answer.json
    irec.sync()
    chain_job()
    run_indexer()
    return market.buyer.email


def test_every_page_reads_well_at_both_widths_for_every_role(app, settings, live_server: str, browser: Browser) -> None:
    world = _world(app, settings)
    audit = Audit(app, live_server)
    for role in ("developer", "buyer", "irec buyer", "admin", "visitor"):
        context = new_context(browser)
        page = context.new_page()
        if role != "visitor":
            sign_in(page, live_server, world[role])
        audit.crawl(role, page, ["/", world["verify"]] if role == "visitor" else ["/"])
        context.close()

    unreached = audit.pages() - set().union(*audit.reached.values())
    not_in_navigation = {role: NAVIGATION[role] - audit.navigation.get(role, set()) for role in NAVIGATION}
    problems = [
        *map(str, audit.findings),
        *(f"no link leads to {endpoint}" for endpoint in sorted(unreached)),
        *(f"{role}'s navigation lacks {e}" for role, missing in not_in_navigation.items() for e in sorted(missing)),
    ]
    print(f"\npages checked: {audit.pages_checked}; problems: {len(problems)}")
    assert not problems, "\n".join(problems)
