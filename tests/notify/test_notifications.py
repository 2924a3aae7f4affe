"""In-app notifications and their emails (R-RES-7): developers whose devices are reserved or released."""

import email
from datetime import timedelta

from dapp import platform
from tests.factories.accounts import signed_in
from tests.reservations.conftest import NOW
from tests.reservations.support import call, reserve
from tests.support.workers import run_jobs, scheduler_tick


def notifications(app, org) -> list[dict]:
    response = call(app, org, "GET", "/api/v1/notifications")
    assert response.status_code == 200, response.json
    return response.json["items"]


def mails_to(settings, address: str) -> list[str]:
    found = []
    for path in sorted(settings.mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes())
        if message["To"] == address:
            found.append(message["Subject"])
    return found


def test_each_developer_concerned_is_notified_of_a_reservation_in_app_and_by_email(app, settings, market) -> None:
    reserve(app, market.buyer, [market.devices[0], market.other_devices[0]], name="Schools")
    [mine] = notifications(app, market.developer)
    [theirs] = notifications(app, market.other_developer)
    assert mine["kind"] == theirs["kind"] == "devices_reserved"
    assert "Green Buyer" in mine["title"]
    assert "SUN-1" in mine["body"]
    assert "LAKE-1" not in mine["body"]
    assert "'Schools'" in mine["body"]
    assert "LAKE-1" in theirs["body"]
    assert "SUN-1" not in theirs["body"]
    assert notifications(app, market.buyer) == []
    run_jobs()  # the email job enqueued after the commit
    assert mails_to(settings, market.developer.email) == [mine["title"]]
    assert mails_to(settings, market.other_developer.email) == [theirs["title"]]
    run_jobs()
    assert len(mails_to(settings, market.developer.email)) == 1  # sent once


def test_a_reservation_starting_in_the_past_is_announced_from_its_start_not_from_its_creation(app, market) -> None:
    start = NOW - timedelta(days=10)
    assert reserve(app, market.buyer, [market.devices[0]], start=start).status_code == 201
    [notice] = notifications(app, market.developer)
    assert "from 2026-05-22 12:00 UTC until 2026-06-21 12:00 UTC" in notice["body"]


def test_developers_are_notified_when_their_devices_are_released(app, settings, market) -> None:
    reserve(app, market.buyer, market.devices, end=NOW + timedelta(days=1))
    platform.current().clock.set(NOW + timedelta(days=1, minutes=1))
    scheduler_tick()
    run_jobs()
    kinds = [n["kind"] for n in notifications(app, market.developer)]
    assert kinds == ["devices_released", "devices_reserved"]
    released = notifications(app, market.developer)[0]
    assert "SUN-1, SUN-2" in released["body"]
    assert "2026-06-03 00:00 UTC" in released["body"]  # reservable again 12 hours after the end
    assert released["title"] in mails_to(settings, market.developer.email)


def test_removing_a_device_notifies_its_developer_when_it_leaves(app, market) -> None:
    reservation = reserve(app, market.buyer, market.devices).json
    call(
        app,
        market.buyer,
        "PATCH",
        f"/api/v1/reservations/{reservation['id']}",
        {"remove_device_ids": [str(market.devices[0].id)]},
    )
    assert [n["kind"] for n in notifications(app, market.developer)] == ["devices_reserved"]
    platform.current().clock.set(NOW + timedelta(days=1, minutes=1))  # the daily window is over
    scheduler_tick()
    run_jobs()
    latest = notifications(app, market.developer)[0]
    assert latest["kind"] == "devices_released"
    assert "SUN-1" in latest["body"]
    assert "SUN-2" not in latest["body"]


def test_notifications_are_marked_read(app, market) -> None:
    reserve(app, market.buyer, market.devices)
    listing = call(app, market.developer, "GET", "/api/v1/notifications").json
    assert listing["unread"] == 1
    marked = call(app, market.developer, "POST", "/api/v1/notifications/read", {}).json
    assert marked == {"marked": 1}
    listing = call(app, market.developer, "GET", "/api/v1/notifications").json
    assert listing["unread"] == 0
    assert listing["items"][0]["read_at"] is not None


def test_the_notification_page_and_the_unread_badge(app, market) -> None:
    reserve(app, market.buyer, market.devices)
    developer = signed_in(app, market.developer.email)
    page = developer.client.get("/notifications").get_data(as_text=True)
    assert "2 of your devices reserved by Green Buyer" in page
    badge = developer.client.get("/notifications/unread", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert ">1<" in badge
    developer.form("/notifications/read", {})
    assert ">1<" not in developer.client.get("/notifications/unread").get_data(as_text=True)
