"""The developer's pages of meter reads: all reads with filters, time zones, unit switcher, chart and CSV export
(R-READ-10, R-TZ-2), the add-read form and the CSV upload (R-READ-11), the energy ledger (R-READ-13), and the
accessibility basics of those pages (R-UI-1)."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dapp import platform
from dapp.issuance.service import windows as issuance
from dapp.models.accounts import OrganizationType
from dapp.models.devices import Device
from dapp.models.reads import MeterRead, RejectedRead
from dapp.models.reservations import SplitRule
from dapp.reads.service.uploads import COLUMNS
from tests.factories.accounts import make_member, make_org, signed_in
from tests.factories.devices import MIDNIGHT_SUN, make_device
from tests.factories.reads import ongoing, post_reads, stored_reads
from tests.factories.reservations import made_under, make_reservation
from tests.reads.conftest import ONBOARDED, at
from tests.support.html import Element, parse, unlabelled_controls
from tests.support.journeys import PASSWORD, Member, sign_in

# R-READ-7 for DEV-1 (5 kW, younger than a year, default yield 2000 kWh/kWp/year, tolerance 20 %)
WH_PER_HOUR_LIMIT = 5 * 1000 * 2000 / 8760 * 1.2


def limit_wh(hours: float) -> int:
    return int(WH_PER_HOUR_LIMIT * hours)


@pytest.fixture
def member(app, developer) -> Member:
    return signed_in(app, developer.email)


@pytest.fixture
def sent(app, developer):
    """Reads of DEV-1 (Nairobi, UTC+3), of a second device in Longyearbyen (UTC+2 in June) and of another organization's
    device that is also called DEV-1."""
    clock = platform.current().clock
    clock.set(ONBOARDED)
    make_device(developer, "OSLO-1", **MIDNIGHT_SUN)
    rival = make_org("Rival")
    make_device(rival, "DEV-1")
    clock.set(ONBOARDED + timedelta(days=2))
    # 10:15 baseline, 11:00 accepted, 12:00 over the limit, 22:30 UTC (01:30 on 2 June in Nairobi) accepted
    post_reads(app, developer, ongoing("delta", (at(0.25), 70), (at(1), 1_025), (at(2), 99_999), (at(12.5), 1_000)))
    post_reads(app, developer, ongoing("delta", (at(0.5), 4_321), (at(1), 432)), external_id="OSLO-1")
    post_reads(app, rival, ongoing("delta", (at(0.25), 777), (at(1), 888)))
    return rival


def get(member: Member, path: str, status: int = 200, **query: str) -> Element:
    response = member.client.get(path, query_string=query or None)
    assert response.status_code == status, response.get_data(as_text=True)
    return parse(response.get_data(as_text=True))


def read_rows(document: Element) -> list[dict[str, str]]:
    names = ["start", "end", "value", "energy", "type", "status"]
    return [
        dict(zip(names, (cell.text for cell in row.find_all("td")), strict=True))
        for row in document.find("table", class_="reads").find_all("tr", class_="read")
    ]


def flashes(document: Element) -> list[str]:
    return [p.text for p in document.find_all("p", class_="flash")]


def counts() -> tuple[int, int]:
    with platform.current().db.unit_of_work() as session:
        return (
            session.scalar(select(func.count()).select_from(MeterRead)) or 0,
            session.scalar(select(func.count()).select_from(RejectedRead)) or 0,
        )


# All reads (R-READ-10, R-TZ-2)


def test_the_list_shows_the_reads_of_the_chosen_device_and_days_in_its_time_zone_and_utc(member, sent) -> None:
    rows = read_rows(get(member, "/reads", device="DEV-1", **{"from": "2026-06-01", "to": "2026-06-01"}))
    assert [(r["value"], r["type"]) for r in rows] == [
        ("70", "ongoing (delta)"),
        ("1025", "ongoing (delta)"),
        ("99999", "ongoing (delta)"),
    ]  # 777 and 888 are the other organization's; 4321 and 432 are OSLO-1's; 1000 ends on 2 June in Nairobi
    baseline, accepted, rejected = rows
    assert baseline["status"].startswith("Starting point (the device's first read")
    assert accepted["start"] == "2026-06-01 13:15 Africa/Nairobi 2026-06-01 10:15 UTC"
    assert accepted["end"] == "2026-06-01 14:00 Africa/Nairobi 2026-06-01 11:00 UTC"
    assert accepted["status"] == "Accepted"
    assert rejected["status"].startswith("Rejected (more than the device's capacity can produce in this time)")
    assert f"exceeds the device's plausible maximum of {limit_wh(1)} Wh" in rejected["status"]  # the reason to read

    [late] = read_rows(get(member, "/reads", device="DEV-1", **{"from": "2026-06-02", "to": "2026-06-02"}))
    assert late["value"] == "1000"
    assert late["start"] == "2026-06-01 14:00 Africa/Nairobi 2026-06-01 11:00 UTC"
    assert late["end"] == "2026-06-02 01:30 Africa/Nairobi 2026-06-01 22:30 UTC"


def test_each_device_shows_its_own_time_zone(member, sent) -> None:
    rows = read_rows(get(member, "/reads", device="OSLO-1", **{"from": "2026-06-01", "to": "2026-06-01"}))
    assert [r["end"] for r in rows] == [
        "2026-06-01 12:30 Arctic/Longyearbyen 2026-06-01 10:30 UTC",
        "2026-06-01 13:00 Arctic/Longyearbyen 2026-06-01 11:00 UTC",
    ]


def test_a_read_belongs_to_the_day_of_its_last_instant(app, developer, member) -> None:
    """A read ending at local midnight covers the evening before it ([start, end) is half-open)."""
    midnight = at(11)  # 21:00 UTC = 00:00 on 2 June in Nairobi
    post_reads(app, developer, ongoing("delta", (at(6), 0), (midnight, 3)))
    june_1 = read_rows(get(member, "/reads", device="DEV-1", **{"from": "2026-06-01", "to": "2026-06-01"}))
    june_2 = read_rows(get(member, "/reads", device="DEV-1", **{"from": "2026-06-02", "to": "2026-06-02"}))
    assert [r["value"] for r in june_1] == ["0", "3"]
    assert june_2 == []


@pytest.mark.parametrize(
    ("unit", "shown"), [("Wh", "1025"), ("kWh", "1.025"), ("MWh", "0.001025"), ("GWh", "0.000001025")]
)
def test_the_unit_switcher_shows_exact_values(member, sent, unit: str, shown: str) -> None:
    document = get(member, "/reads", device="DEV-1", unit=unit, **{"from": "2026-06-01", "to": "2026-06-01"})
    accepted = read_rows(document)[1]
    assert (accepted["value"], accepted["energy"]) == (shown, shown)
    assert f"Value ({unit})" in document.find("table", class_="reads").find("thead").text


def test_the_chart_has_a_table_of_the_same_production(member, sent) -> None:
    document = get(member, "/reads", device="DEV-1", unit="kWh", **{"from": "2026-06-01", "to": "2026-06-01"})
    canvas = document.find("canvas")
    table = document.find("table", id=canvas.attrs["aria-describedby"])
    hours = {row.find("th").text: row.find("td").text for row in table.find("tbody").find_all("tr")}
    assert len(hours) == 24  # one bar per local hour for a range of one day
    assert hours["2026-06-01 13:00"] == "1.025"  # [13:15, 14:00) local; baselines and rejections produce nothing
    assert {v for k, v in hours.items() if k != "2026-06-01 13:00"} == {"0"}


def test_both_dates_are_needed_and_ordered(member, sent) -> None:
    document = get(member, "/reads", 422, device="DEV-1", **{"from": "2026-06-02", "to": "2026-06-01"})
    assert "'to' must not be before 'from'" in document.text
    get(member, "/reads", 422, device="DEV-1", **{"from": "", "to": "2026-06-01"})


def test_another_organizations_device_is_not_found(member, sent) -> None:
    clock = platform.current().clock
    clock.set(ONBOARDED)
    make_device(make_org("Other"), "THEIRS-1")
    document = get(member, "/reads", 404, device="THEIRS-1", **{"from": "2026-06-01", "to": "2026-06-01"})
    assert document.find_all("table", class_="reads") == []
    assert member.client.get("/reads/export.csv?device=THEIRS-1&from=2026-06-01&to=2026-06-01").status_code == 404


def test_the_csv_export_has_the_filtered_reads_of_the_organization_only(member, sent) -> None:
    response = member.client.get("/reads/export.csv?device=DEV-1&from=2026-06-01&to=2026-06-01")
    assert (response.status_code, response.mimetype) == (200, "text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    reader = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    assert reader.fieldnames == [
        "kind",
        "read_type",
        "status",
        "reason_code",
        "detail",
        "start_utc",
        "end_utc",
        "start_local",
        "end_local",
        "value_wh",
        "energy_wh",
        "certified_wh",
        "max_energy_wh",
        "clear_sky_wh",
        "location_source",
    ]
    picked = ["status", "reason_code", "start_utc", "end_utc", "start_local", "end_local", "value_wh", "energy_wh"]
    rows = list(reader)
    assert [[row[k] for k in picked] for row in rows] == [
        ["baseline", "first_read", "", "2026-06-01T10:15:00Z", "", "2026-06-01 13:15 Africa/Nairobi", "70", "70"],
        [
            "accepted",
            "",
            "2026-06-01T10:15:00Z",
            "2026-06-01T11:00:00Z",
            "2026-06-01 13:15 Africa/Nairobi",
            "2026-06-01 14:00 Africa/Nairobi",
            "1025",
            "1025",
        ],
        [
            "rejected",
            "exceeds_max_energy",
            "",
            "2026-06-01T12:00:00Z",
            "",
            "2026-06-01 15:00 Africa/Nairobi",
            "99999",
            "99999",
        ],
    ]
    assert rows[1]["max_energy_wh"] == str(limit_wh(0.75))
    assert rows[2]["max_energy_wh"] == str(limit_wh(1))
    assert "777" not in response.get_data(as_text=True)  # the other organization's DEV-1
    assert member.client.get("/reads/export.csv?device=DEV-1&from=2026-06-01").status_code == 422


# Add a read (R-READ-11)


def read_form(**fields: str) -> dict[str, str]:
    return {"device": "DEV-1", "timezone": "Africa/Nairobi", "type": "delta", "unit": "Wh", **fields}


def test_the_form_prefills_the_device_time_zone_from_the_country(member) -> None:
    document = get(member, "/reads/new", device="DEV-1")
    picker = document.find("select", id="timezone")
    assert [o.attrs["value"] for o in picker.find_all("option")] == ["Africa/Nairobi"]  # Kenya has one zone
    assert "selected" in picker.find("option").attrs
    # an organization with one device gets it chosen (the form works without the htmx picker)
    alone = get(member, "/reads/new").find("select", id="timezone")
    assert "selected" in alone.find("option", value="Africa/Nairobi").attrs


def test_adding_reads_through_the_form(member) -> None:
    baseline = member.form("/reads/new", read_form(end="2026-06-01T13:15", value="70"))
    assert baseline.status_code == 302, baseline.get_data(as_text=True)
    message = flashes(get(member, baseline.headers["Location"]))
    assert message == [
        "Read stored as a starting point (the device's first read): its 70 Wh are kept but never certified;"
        " the next read's interval starts at its end."
    ]
    accepted = member.form("/reads/new", read_form(unit="kWh", end="2026-06-01T14:00", value="1.025"))
    assert accepted.status_code == 302, accepted.get_data(as_text=True)
    message = flashes(get(member, accepted.headers["Location"]))
    assert message == [
        "Read accepted: 1025 Wh from 2026-06-01 13:15 Africa/Nairobi (2026-06-01 10:15 UTC)"
        " to 2026-06-01 14:00 Africa/Nairobi (2026-06-01 11:00 UTC)."
    ]
    read = stored_reads()[-1]
    assert (read.energy_wh, read.period_start, read.period_end) == (1_025, at(0.25), at(1))


def test_a_read_breaking_a_rule_shows_the_reason_and_stores_nothing(member) -> None:
    baseline = member.form("/reads/new", read_form(end="2026-06-01T13:15", value="70"))
    get(member, baseline.headers["Location"])  # shows (and so clears) the message about the baseline
    before = counts()
    refused = member.form("/reads/new", read_form(end="2026-06-01T14:00", value="99999"))
    assert refused.status_code == 422
    document = parse(refused.get_data(as_text=True))
    [message] = flashes(document)
    assert "(more than the device's capacity can produce in this time)" in message
    assert f"exceeds the device's plausible maximum of {limit_wh(0.75)} Wh" in message
    assert document.find("input", id="value").attrs["value"] == "99999"  # what was typed is kept
    assert counts() == before


def test_a_bad_field_is_shown_next_to_it(member) -> None:
    refused = member.form("/reads/new", read_form(end="2026-06-01T13:15", value="lots"))
    assert refused.status_code == 422
    document = parse(refused.get_data(as_text=True))
    assert document.find("input", id="value").attrs.get("aria-invalid") == "true"
    assert document.find("small", id="value-error").text
    no_device = member.form("/reads/new", read_form(device="", end="2026-06-01T13:15", value="70"))
    assert no_device.status_code == 422
    assert (
        parse(no_device.get_data(as_text=True)).find("small", id="device-error").text == "Choose one of your devices."
    )
    assert counts() == (0, 0)


def test_the_form_needs_the_csrf_token(member) -> None:
    response = member.client.post("/reads/new", data=read_form(end="2026-06-01T13:15", value="70"))
    assert response.status_code == 400
    assert counts() == (0, 0)


def test_members_without_write_permission_cannot_add_reads(app, developer) -> None:
    make_member(developer, "reader@sunny.example")  # read-only
    reader = app.test_client()
    assert sign_in(reader, "reader@sunny.example", PASSWORD).status_code == 302
    assert reader.get("/reads/new").status_code == 403
    assert reader.get("/reads/upload").status_code == 403
    assert reader.get("/reads?device=DEV-1&from=2026-06-01&to=2026-06-01").status_code == 200


# Upload reads (R-READ-11)

UPLOAD = (
    "external_id,type,unit,start,end,value,timezone\n"
    "DEV-1,delta,Wh,,2026-06-01T13:15,70,\n"  # row 2: baseline
    "DEV-1,delta,kWh,,2026-06-01T14:00,1.025,\n"  # row 3: 1025 Wh, in another unit than its neighbours
    "DEV-1,delta,Wh,,2026-06-01T15:00,99999,\n"  # row 4: over the limit
    "DEV-1,delta,Wh,,2026-06-01T16:00,lots,\n"  # row 5: not a number
    "DEV-1,delta,Wh,,2026-06-01T17:00,900,\n"  # row 6: [14:00, 17:00)
    "NOPE-9,delta,Wh,,2026-06-01T14:00,5,\n"  # row 7: no such device
    "DEV-1,history,Wh,2026-05-01T00:00,2026-05-02T00:00,800,Mars/Olympus\n"  # row 8: no such zone
)


def upload(member: Member, data: bytes, name: str = "reads.csv"):
    return member.client.post(
        "/reads/upload",
        data={"csrf_token": member.csrf, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_an_upload_judges_each_row_on_its_own(member) -> None:
    response = upload(member, UPLOAD.encode())
    assert response.status_code == 200, response.get_data(as_text=True)
    document = parse(response.get_data(as_text=True))
    table = document.find("table", class_="upload-results").find("tbody")
    cells = [row.find_all("td") for row in table.find_all("tr")]
    outcomes = [[cell.text for cell in row] for row in cells]
    assert [(row[0].text, row[2].text, row[3].attrs["data-reason"], row[4].text) for row in cells] == [
        ("2", "Starting point", "first_read", "70"),
        ("3", "Accepted", "", "1025"),
        ("4", "Rejected", "exceeds_max_energy", "—"),
        ("5", "Rejected", "invalid_row", "—"),
        ("6", "Accepted", "", "900"),
        ("7", "Rejected", "device_not_found", "—"),
        ("8", "Rejected", "invalid_row", "—"),
    ]
    assert outcomes[2][3].startswith("More than the device's capacity can produce in this time: ")
    assert "value" in outcomes[3][3]
    assert "Mars/Olympus" in outcomes[6][3]
    assert flashes(document) == ["3 of 7 reads stored; see each row below."]
    energies = [(r.period_start, r.period_end, r.energy_wh) for r in stored_reads() if r.status == "accepted"]
    assert energies == [(at(0.25), at(1), 1_025), (at(1), at(4), 900)]


def test_an_upload_without_a_usable_file_is_refused(member) -> None:
    empty = member.client.post("/reads/upload", data={"csrf_token": member.csrf}, content_type="multipart/form-data")
    assert empty.status_code == 422
    assert "Choose a CSV file to upload." in empty.get_data(as_text=True)
    headless = upload(member, b"device,when,value\nDEV-1,2026-06-01T14:00,5\n")
    assert headless.status_code == 422
    assert "The header row lacks end, external_id, type, unit" in headless.get_data(as_text=True)
    assert counts() == (0, 0)


def test_the_upload_needs_the_csrf_token(member) -> None:
    response = member.client.post(
        "/reads/upload", data={"file": (io.BytesIO(UPLOAD.encode()), "r.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert counts() == (0, 0)


def test_the_template_has_the_upload_columns(member) -> None:
    response = member.client.get("/reads/upload/template.csv")
    assert (response.status_code, response.mimetype) == (200, "text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["external_id", "type", "unit", "start", "end", "value", "timezone"] == COLUMNS
    assert len(rows) > 1
    assert all(len(row) == len(COLUMNS) for row in rows)
    page = get(member, "/reads/upload")
    assert page.find("a", href="/reads/upload/template.csv").text == "Download the template"


# Energy ledger (R-READ-13)


def ledger_rows(document: Element) -> dict[str, int]:
    table = document.find("table", class_="ledger")
    return {row.find("th").text: int(row.find("td").attrs["data-wh"]) for row in table.find_all("tr")}


def test_the_ledger_accounts_for_every_wh_reported(app, developer, member) -> None:
    reads = [(at(0.25), 70), (at(1), 1_000), (at(2), 99_999), (at(3), 800), (at(10), 5), (at(11), 7)]
    post_reads(app, developer, ongoing("delta", *reads))
    buyer = make_org("Buyer", OrganizationType.BUYER)
    reservation = make_reservation(
        buyer, [device_named("DEV-1")], ONBOARDED, ONBOARDED + timedelta(days=1), frequency="hourly"
    )
    # Cut reads split by time, as the figures below count; the solar rule's ledger is tested in test_solar_split.py.
    made_under(reservation, SplitRule.TIME)
    p = platform.current()
    with p.db.unit_of_work() as session:
        issuance.run_until(session, at(2), p.clock.now())  # windows [10:00, 11:00) and [11:00, 12:00) UTC
    parts = ledger_rows(get(member, "/reads/ledger", device="DEV-1", **{"from": "2026-06-01", "to": "2026-06-01"}))
    assert parts == {
        "Reported": sum(wh for _, wh in reads),  # 101,881 Wh sent
        "Certified": 1_000 + 400,  # [10:15, 11:00) and half of the 800 Wh of [11:00, 13:00)
        "Waiting: first read of a meter (a baseline: its energy has no start, so it is never certified)": 70,
        "Waiting: not reserved": 0,
        "Waiting: window open": 400 + 5,
        "Waiting: window issued without it (late or over target)": 0,
        "Waiting: flagged (clear-sky check)": 7,  # 23:00 to midnight in Nairobi
        "Waiting in all": 482,
        "Rejected (1 read)": 99_999,
    }
    assert parts["Reported"] == parts["Certified"] + parts["Waiting in all"] + parts["Rejected (1 read)"]
    listed = read_rows(get(member, "/reads", device="DEV-1", **{"from": "2026-06-01", "to": "2026-06-01"}))
    assert [r["status"] for r in listed if r["value"] == "1000"] == ["Certified"]


def test_the_ledger_and_the_list_show_a_read_with_unreadable_times_on_the_day_it_was_received(
    app, developer, member
) -> None:
    body = ongoing("delta", (at(0.25), 70), (at(1), 1_000))
    body["reads"].append({"end": "1 June, 15:00", "value": 450})
    post_reads(app, developer, body)
    received_on = {"from": "2026-06-03", "to": "2026-06-03"}  # NOW, 13:00 in Nairobi
    parts = ledger_rows(get(member, "/reads/ledger", device="DEV-1", **received_on))
    assert (parts["Reported"], parts["Rejected (1 read)"]) == (450, 450)
    assert parts["Reported"] == parts["Certified"] + parts["Waiting in all"] + parts["Rejected (1 read)"]
    on_the_reads_days = ledger_rows(
        get(member, "/reads/ledger", device="DEV-1", **{"from": "2026-06-01", "to": "2026-06-02"})
    )
    assert (on_the_reads_days["Reported"], on_the_reads_days["Rejected (0 reads)"]) == (1_070, 0)
    [listed] = read_rows(get(member, "/reads", device="DEV-1", **received_on))
    assert (listed["end"], listed["value"]) == ("—", "450")
    assert listed["status"].startswith("Rejected (a time that could not be read)")
    assert "'1 June, 15:00' is not an ISO 8601 timestamp" in listed["status"]
    all_days = read_rows(get(member, "/reads", device="DEV-1", **{"from": "2026-06-01", "to": "2026-06-03"}))
    assert [(r["value"], r["status"].split()[0]) for r in all_days] == [
        ("70", "Starting"),
        ("1000", "Accepted"),
        ("450", "Rejected"),
    ]


def device_named(external_id: str) -> Device:
    with platform.current().db.unit_of_work() as session:
        return session.scalars(select(Device).where(Device.external_id == external_id)).one()


# Accessibility basics (R-UI-1)


def test_every_input_of_the_read_pages_has_a_label(member, sent) -> None:
    response = upload(member, UPLOAD.encode())
    pages = {
        "list": get(member, "/reads", device="DEV-1", **{"from": "2026-06-01", "to": "2026-06-01"}),
        "new": get(member, "/reads/new"),
        "upload": parse(response.get_data(as_text=True)),
        "ledger": get(member, "/reads/ledger", device="DEV-1"),
    }
    for name, document in pages.items():
        assert unlabelled_controls(document) == [], name
        for form in document.find("main").find_all("form"):
            assert form.attrs.get("method") in ("get", "post"), name  # works as a plain HTML form


def test_the_chart_is_described_for_screen_readers(member, sent) -> None:
    two_days = get(member, "/reads", device="DEV-1", **{"from": "2026-06-01", "to": "2026-06-02"})
    assert "per hour" in two_days.find("canvas").attrs["aria-label"]  # hourly bars for ranges of one or two days
    document = get(member, "/reads", device="DEV-1", **{"from": "2026-06-01", "to": "2026-06-08"})
    canvas = document.find("canvas")
    assert canvas.attrs["role"] == "img"
    assert "per day" in canvas.attrs["aria-label"]
    table = document.find("table", id=canvas.attrs["aria-describedby"])
    days = {row.find("th").text: row.find("td").text for row in table.find("tbody").find_all("tr")}
    assert days == {f"2026-06-0{n}": "0" for n in range(1, 9)} | {"2026-06-01": "1025", "2026-06-02": "1000"}


def test_an_upload_judges_one_device_written_in_any_case_in_time_order(member) -> None:
    data = (
        "external_id,type,unit,start,end,value,timezone\n"
        "dev-1,delta,Wh,,2026-06-01T14:00,1000,\n"  # row 2: [13:15, 14:00)
        "DEV-1,delta,Wh,,2026-06-01T13:15,70,\n"  # row 3: the baseline, although written after row 2
        "Dev-1,delta,Wh,,2026-06-01T15:00+03:00,800,Africa/Nairobi\n"  # row 4: [14:00, 15:00), in another zone
        "DEV-1,delta,Wh,,2026-06-01T14:00,5,\n"  # row 5: ends with row 2, so not after it
    )
    response = upload(member, data.encode())
    assert response.status_code == 200, response.get_data(as_text=True)
    table = parse(response.get_data(as_text=True)).find("table", class_="upload-results").find("tbody")
    cells = [row.find_all("td") for row in table.find_all("tr")]
    assert [(row[0].text, row[1].text, row[2].text, row[3].attrs["data-reason"]) for row in cells] == [
        ("2", "dev-1", "Accepted", ""),
        ("3", "DEV-1", "Starting point", "first_read"),
        ("4", "Dev-1", "Accepted", ""),
        ("5", "DEV-1", "Rejected", "not_after_previous"),
    ]
    energies = [(r.period_start, r.period_end, r.energy_wh) for r in stored_reads() if r.status == "accepted"]
    assert energies == [(at(0.25), at(1), 1_000), (at(1), at(2), 800)]


def test_the_default_week_is_charted_by_day_and_two_days_by_hour(member, sent) -> None:
    week = get(member, "/reads", device="DEV-1", **{"from": "2026-05-28", "to": "2026-06-03"})
    days = [row.find("th").text for row in week.find("table", class_="production").find("tbody").find_all("tr")]
    assert days == [f"2026-05-{d}" for d in (28, 29, 30, 31)] + [f"2026-06-0{d}" for d in (1, 2, 3)]
    two_days = get(member, "/reads", device="DEV-1", **{"from": "2026-06-01", "to": "2026-06-02"})
    assert len(two_days.find("table", class_="production").find("tbody").find_all("tr")) == 48
