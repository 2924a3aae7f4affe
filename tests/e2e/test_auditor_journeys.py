"""Browser journey of an auditor with no account: from the QR URL of a retirement statement to the verdict, the
document behind it, and the search box."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.issuance.test_claims import CLAIM
from tests.support.workers import settle
from tests.test_slice import build_slice, certificates

pytestmark = pytest.mark.browser


def test_an_auditor_follows_the_statements_qr_url_to_a_consistent_verdict(
    app, settings, live_server: str, page: Page
) -> None:
    buyer = build_slice(app, settings)["buyer"]
    [certificate] = certificates(buyer)
    claim = buyer.api("POST", f"/api/v1/certificates/{certificate['id']}/claims", {**CLAIM, "volume_wh": 1000}).json
    settle()
    statement = buyer.api("GET", f"/api/v1/claims/{claim['id']}/statement").json
    qr_url = statement["facts"]["verify_url"]  # what the statement's QR code encodes
    page.goto(live_server + urlsplit(qr_url).path)
    expect(page.get_by_role("status")).to_contain_text("Consistent")
    expect(page.locator("table.claims")).to_contain_text(CLAIM["purpose"])
    expect(page.locator("table.claims")).to_contain_text(CLAIM["beneficiary"])
    page.get_by_role("link", name=certificate["metadata_cid"]).click()
    expect(page.locator("body")).to_contain_text(certificate["contributions_root"])

    page.goto(f"{live_server}/verify")
    page.get_by_label("Token id, certificate key, certificate id or reservation id").fill(certificate["token_id"])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_contain_text("Consistent")
