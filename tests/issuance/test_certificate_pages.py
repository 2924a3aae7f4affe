"""The certificate pages read well (issue 20): a row carries its actions, a state that follows claims and
transfers, long values with copy buttons and links, and local times with UTC beside them; Certified reads filter
by SDG benefits and open a device's details (R-READ-12, R-DEV-4, R-TZ-2)."""

from datetime import timedelta

from dapp import platform
from dapp.models.accounts import OrganizationType
from tests.factories.accounts import make_org, signed_in
from tests.factories.devices import make_device
from tests.factories.reservations import make_reservation
from tests.issuance.test_claims import CLAIM
from tests.issuance.test_solar_split import DAY, T0, issue_until, send_day
from tests.support.html import Element, parse
from tests.support.journeys import Member
from tests.support.workers import settle
from tests.test_slice import build_slice, certificates


def page(member: Member, path: str) -> Element:
    response = member.client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return parse(response.get_data(as_text=True))


def row_of(document: Element) -> Element:
    [row] = document.find_all("tr", class_="certificate")
    return row


def links(element: Element) -> dict[str, str]:
    return {a.text: a.attrs["href"] for a in element.find_all("a")}


def test_a_certificate_row_carries_its_actions_copy_buttons_and_links(app, settings) -> None:
    journey = build_slice(app, settings)
    [certificate] = certificates(journey["buyer"])
    row = row_of(page(journey["buyer"], "/certificates"))

    verify = f"/verify/certificates/{certificate['token_id']}"
    actions = links(row.find("div", class_="row-actions"))
    assert actions == {
        "Claim": f"/certificates/{certificate['id']}/claims",
        "Transfer": f"/certificates/{certificate['id']}/transfers",
        "How computed": f"/certificates/{certificate['id']}/explanation",
        "Verify": verify,
    }
    copies = {b.attrs["aria-label"]: b.attrs["data-copy"] for b in row.find_all("button", class_="copy")}
    assert copies == {
        "Copy the token id": certificate["token_id"],
        "Copy the transaction hash": certificate["mint_tx_hash"],
        "Copy the metadata CID": certificate["metadata_cid"],
    }
    hrefs = [a.attrs["href"] for a in row.find_all("a") if a.attrs.get("title")]
    assert hrefs == [verify, verify, f"/ipfs/{certificate['metadata_cid']}"]


def test_times_are_the_devices_local_time_with_utc_beside_them(app, settings) -> None:
    journey = build_slice(app, settings)
    generation = row_of(page(journey["buyer"], "/certificates")).find_all("td")[0].text
    # the device is in Nairobi (UTC+3); the first read after the baseline starts at 04:10 UTC
    assert generation.startswith("2026-06-01 07:10 Africa/Nairobi (2026-06-01 04:10 UTC) –")


def test_the_state_follows_claims(app, settings) -> None:
    journey = build_slice(app, settings)
    buyer = journey["buyer"]
    [certificate] = certificates(buyer)
    assert row_of(page(buyer, "/certificates")).find("span", class_="badge").text == "Minted"

    path = f"/api/v1/certificates/{certificate['id']}/claims"
    assert buyer.api("POST", path, {**CLAIM, "volume_wh": 1_000}).status_code == 201
    settle()
    assert row_of(page(buyer, "/certificates")).find("span", class_="badge").text == "Partly claimed"

    assert buyer.api("POST", path, {**CLAIM, "volume_wh": certificate["volume_wh"] - 1_000}).status_code == 201
    settle()
    assert row_of(page(buyer, "/certificates")).find("span", class_="badge").text == "Claimed"


def test_certified_reads_filter_by_sdg_benefits_and_open_a_devices_details(app, settings) -> None:
    journey = build_slice(app, settings)
    developer = journey["developer"]
    assert developer.api("PATCH", "/api/v1/devices/SHS-001", {"sdg_benefits": ["SDG7"]}).status_code == 200

    row = row_of(page(developer, "/certified-reads?sdg=SDG7&sdg=SDG4"))
    [details] = [a for a in row.find_all("a") if a.attrs.get("hx-get")]
    assert details.attrs["hx-get"] == "/devices/SHS-001/details"
    assert page(developer, "/certified-reads?sdg=SDG4").find_all("tr", class_="certificate") == []


def test_links_to_other_pages_and_the_export_keep_every_value_of_a_repeated_filter(app) -> None:
    clock = platform.current().clock
    clock.set(T0)
    developer = make_org("Dev")
    device = make_device(developer, "D1", capacity_kw="50", sdg_benefits=["SDG7"])
    buyer = make_org("Buyer", OrganizationType.BUYER)
    clock.set(T0 + timedelta(days=5))
    send_day(app, developer)
    make_reservation(buyer, [device], DAY, DAY + timedelta(days=1), frequency="hourly")
    assert len(issue_until(DAY + timedelta(days=1))) > 4
    document = page(signed_in(app, buyer.email), "/certificates?sdg=SDG4&sdg=SDG7&size=2&page=2")
    hrefs = links(document.find("nav", **{"aria-label": "Pages"}))
    assert hrefs["Previous"] == "/certificates?sdg=SDG4&sdg=SDG7&size=2&page=1"
    assert hrefs["Next"] == "/certificates?sdg=SDG4&sdg=SDG7&size=2&page=3"
    assert links(document)["Export CSV"] == "/certificates/export.csv?sdg=SDG4&sdg=SDG7&size=2&page=2"
