"""A malformed upload is refused as a whole, up front, with a clear reason, and nothing is created (R-DEV-7)."""

import pytest

from dapp.devices.bulk import csvfile, template
from dapp.errors import Invalid
from tests.factories.devices import GOOD_ROW, csv_bytes


def refusal(data: bytes) -> Invalid:
    with pytest.raises(Invalid) as caught:
        csvfile.read(data)
    return caught.value


def test_a_file_over_10_mb_is_refused() -> None:
    row = b"X," * 20 + b"\n"
    error = refusal(csv_bytes([GOOD_ROW]) + row * (csvfile.MAX_BYTES // len(row) + 1))
    assert error.code == "file_too_large"
    assert "10 MB" in error.detail


def test_a_file_that_is_not_utf8_is_refused() -> None:
    error = refusal(csv_bytes([{**GOOD_ROW, "address": "Région"}]).decode().encode("latin-1"))
    assert error.code == "not_utf8"
    assert "CSV UTF-8" in error.detail


def test_a_binary_file_is_refused() -> None:
    assert refusal(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").code in {"not_utf8", "not_csv"}
    assert refusal(b"external_id\x00").code == "not_csv"


def test_an_empty_file_or_a_header_alone_is_refused() -> None:
    assert refusal(b"").code == "empty_file"
    assert refusal(csv_bytes([])).code == "no_rows"


def test_unknown_columns_are_named_with_the_accepted_ones() -> None:
    error = refusal(b'{"devices": []}\n')
    assert error.code == "unknown_columns"
    assert "external_id, country_code" in error.detail


def test_missing_required_columns_are_named() -> None:
    error = refusal(csv_bytes([{"external_id": "A"}], columns=["external_id", "project_name"]))
    assert error.code == "missing_columns"
    assert "country_code, commissioning_date, capacity_kw, fuel_code, device_type_code" in error.detail


def test_a_repeated_column_is_refused() -> None:
    data = ("external_id," + ",".join(template.NAMES) + "\n").encode()
    assert refusal(data + b"A\n").code == "duplicate_columns"


def test_more_than_10000_rows_are_refused() -> None:
    rows = [{**GOOD_ROW, "external_id": f"D{n}"} for n in range(csvfile.MAX_ROWS + 1)]
    error = refusal(csv_bytes(rows))
    assert error.code == "too_many_rows"
    assert "10,000" in error.detail


def test_exactly_10000_rows_are_accepted() -> None:
    rows = [{**GOOD_ROW, "external_id": f"D{n}"} for n in range(csvfile.MAX_ROWS)]
    assert len(csvfile.read(csv_bytes(rows)).rows) == csvfile.MAX_ROWS


def test_rows_are_numbered_as_a_spreadsheet_shows_them_and_blank_lines_are_skipped() -> None:
    data = csv_bytes([GOOD_ROW]) + b"\n" + csv_bytes([{**GOOD_ROW, "external_id": "CSV-2"}]).split(b"\n", 1)[1]
    parsed = csvfile.read(data)
    assert [(r.number, r.cells["external_id"]) for r in parsed.rows] == [(2, "CSV-1"), (4, "CSV-2")]


def test_a_byte_order_mark_semicolons_and_spaced_headers_are_understood() -> None:
    data = "\ufeffExternal ID;Country_Code;commissioning_date;capacity_kw;fuel_code;device_type_code\n"
    data += "A-1;KEN;2025-01-01;5;ES100;TC120\n"
    parsed = csvfile.read(data.encode())
    assert parsed.rows[0].cells == {
        "external_id": "A-1",
        "country_code": "KEN",
        "commissioning_date": "2025-01-01",
        "capacity_kw": "5",
        "fuel_code": "ES100",
        "device_type_code": "TC120",
    }


def test_the_template_has_every_column_and_an_example_that_passes() -> None:
    parsed = csvfile.read(template.template_csv().encode())
    assert parsed.columns == template.NAMES
    assert set(template.NAMES) == set(template.BY_NAME)


def test_the_accepted_values_list_every_code() -> None:
    text = template.accepted_values_csv()
    for expected in ("TC150,PV ground mounted", "ES100,Solar", "SDG17,Partnerships for the Goals", "KEN,Kenya"):
        assert expected.split(",")[0] in text
    assert "device_type_code,yes,,TC110,PV ground mounted" in text
    assert "off_taker,no,,Off-Grid Community,Off-Grid Community" in text
