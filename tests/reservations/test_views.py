"""Pages of reservations: catalogue (htmx filters, grouping, estimate), reservation form, My reservations,
details with the on-chain log, changing devices, ending, and developers' reserved devices."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from dapp import platform
from dapp.chain.sending import ChainPaused
from dapp.models.reservations import Reservation, ReservationDevice
from dapp.reservations import onchain as reservation_log
from dapp.reservations.service.availability import RELEASE_GRACE
from tests.factories.accounts import signed_in
from tests.reservations.conftest import NOW
from tests.reservations.support import call, reserve
from tests.support.chain import ONE_TRY, new_run, unreachable
from tests.support.workers import settle


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_catalogue_filters_with_htmx_and_groups_devices(app, market) -> None:
    buyer = signed_in(app, market.buyer.email)
    full = text(buyer.client.get("/catalogue"))
    assert all(name in full for name in ("SUN-1", "SUN-2", "LAKE-1"))
    fragment = buyer.client.get("/catalogue?country=UGA&group_by=off_taker", headers={"HX-Request": "true"})
    html = text(fragment)
    assert "<html" not in html
    assert "LAKE-1" in html
    assert "SUN-1" not in html
    [group] = [row for row in html.split("<tr") if 'class="group"' in row]
    assert "School</label>" in group
    assert "1 device(s) from 1 organization(s)" in " ".join(group.split())


def test_a_boosted_link_gets_the_whole_page_not_a_fragment(app, market) -> None:
    buyer = signed_in(app, market.buyer.email)
    boosted = {"HX-Request": "true", "HX-Boosted": "true"}
    for path in ("/catalogue?country=UGA", "/reservations?country=UGA"):
        assert "<html" in text(buyer.client.get(path, headers=boosted))


def test_a_bad_filter_on_the_page_is_explained(app, market) -> None:
    buyer = signed_in(app, market.buyer.email)
    response = buyer.client.get("/catalogue?sdg=SDG99")
    assert response.status_code == 422
    assert "SDG99" in text(response)


def test_the_selection_panel_compares_expected_energy_with_the_target(app, market) -> None:
    buyer = signed_in(app, market.buyer.email)
    response = buyer.form(
        "/catalogue/estimate",
        {
            "device_ids": [str(market.devices[1].id)],
            "start": "2026-06-01T00:00",
            "end": "2027-06-01T00:00",
            "target_volume_mwh": "150",
        },
    )
    html = text(response)
    assert "100 MWh</strong> a year" in html
    assert "looks out of reach" in html


def test_the_form_creates_a_reservation_in_the_issuance_time_zone(app, market) -> None:
    buyer = signed_in(app, market.buyer.email)
    response = buyer.form(
        "/catalogue",
        {
            "device_ids": [str(d.id) for d in market.devices],
            "name": "From the form",
            "start": "2026-06-02T00:00",
            "end": "2026-07-02T00:00",
            "timezone": "Africa/Nairobi",
            "frequency": "weekly",
            "target_volume_mwh": "3",
            "standard": "D-REC",
        },
    )
    assert response.status_code == 302, text(response)
    with platform.current().db.unit_of_work() as session:
        reservation = session.scalars(select(Reservation)).one()
        assert reservation.period_start == NOW.replace(day=1, hour=21)  # midnight in Nairobi
        assert (reservation.frequency, reservation.target_wh) == ("weekly", 3_000_000)
    detail = text(buyer.client.get(response.headers["Location"]))
    assert "From the form" in detail
    assert "waiting to be written" in detail


def test_form_errors_are_shown_next_to_the_fields(app, market) -> None:
    buyer = signed_in(app, market.buyer.email)
    response = buyer.form(
        "/catalogue",
        {
            "device_ids": [str(market.devices[0].id)],
            "name": "Old",
            "start": "2024-01-01T00:00",
            "end": "2024-02-01T00:00",
            "timezone": "UTC",
            "frequency": "daily",
            "authority_to_exceed": "true",
        },
    )
    assert response.status_code == 422
    assert "at most 12 months in the past" in text(response)
    assert 'aria-invalid="true"' in text(response)


def test_my_reservations_filter_with_htmx_and_link_to_details_and_certificates(app, market) -> None:
    reserve(app, market.buyer, market.devices, name="Kenya")
    reserve(app, market.buyer, market.other_devices, name="Uganda")
    buyer = signed_in(app, market.buyer.email)
    html = text(buyer.client.get("/reservations?country=UGA", headers={"HX-Request": "true"}))
    assert "Uganda" in html
    assert "Kenya" not in html
    assert "#certificates" in html


def test_the_detail_page_shows_the_transaction_of_each_change(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices).json
    settle()
    buyer = signed_in(app, market.buyer.email)
    html = text(buyer.client.get(f"/reservations/{reservation['id']}"))
    assert "confirmed in block" in html
    assert 'class="tx"' in html


def test_devices_are_removed_and_added_through_the_detail_page(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices[:1]).json
    buyer = signed_in(app, market.buyer.email)
    added = buyer.form(f"/reservations/{reservation['id']}/devices", {"add_device_ids": [str(market.devices[1].id)]})
    assert added.status_code == 302
    removed = buyer.form(
        f"/reservations/{reservation['id']}/devices", {"remove_device_ids": [str(market.devices[0].id)]}
    )
    assert removed.status_code == 302
    page = text(buyer.client.get(removed.headers["Location"]))
    assert "leave at the end of the current issuance window" in page
    assert 'data-state="leaving"' in page
    catalogue = text(buyer.client.get(f"/catalogue?add_to={reservation['id']}"))
    assert "Add selected devices to Kenya schools" in catalogue


def test_ending_from_the_page_deletes_a_reservation_without_certificates(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices).json
    buyer = signed_in(app, market.buyer.email)
    assert "Delete reservation" in text(buyer.client.get(f"/reservations/{reservation['id']}"))
    response = buyer.form(f"/reservations/{reservation['id']}/end", {})
    assert response.headers["Location"].endswith("/reservations")
    assert "deleted: it had issued nothing" in text(buyer.client.get("/reservations"))


def test_developers_see_their_reserved_devices_and_release_them_only_when_automatic_release_failed(app, market) -> None:
    reserve(app, market.buyer, market.devices, end=NOW + timedelta(days=1))
    developer = signed_in(app, market.developer.email)
    page = text(developer.client.get("/reserved-devices"))
    assert "Green Buyer" in page
    assert "automatic release failed" not in page.split("</table>")[0].split("<tbody>")[1]
    platform.current().clock.set(NOW + timedelta(days=1) + RELEASE_GRACE + timedelta(minutes=1))
    page = text(developer.client.get("/reserved-devices"))
    assert "Release (automatic release failed)" in page
    response = developer.form(f"/reserved-devices/{market.devices[0].id}/release", {})
    assert "Device released." in text(developer.client.get(response.headers["Location"]))
    with platform.current().db.unit_of_work() as session:
        released = session.scalars(select(ReservationDevice).where(ReservationDevice.device_id == market.devices[0].id))
        assert released.one().released_at is not None


def test_a_change_the_chain_never_took_shows_failed_with_the_reason(app, market, settings) -> None:
    reservation = reserve(app, market.buyer, market.devices).json
    with pytest.raises(ChainPaused):
        reservation_log.send_log_entry(new_run(unreachable(settings), ONE_TRY))
    detail = call(app, market.buyer, "GET", f"/api/v1/reservations/{reservation['id']}").json
    assert [(e["kind"], e["chain_status"]) for e in detail["log"]] == [("created", "failed")]
    html = text(signed_in(app, market.buyer.email).client.get(f"/reservations/{reservation['id']}"))
    assert "failed: ConnectionError" in html
    assert "a platform admin can retry it" in html
