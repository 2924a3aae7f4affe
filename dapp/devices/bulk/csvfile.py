"""Checking an uploaded CSV file before anything is stored (R-DEV-7): encoding, shape, columns, limits.

A file that fails here is refused as a whole with one clear reason, and nothing is created. Rows are numbered
as a spreadsheet shows them: the header is row 1, the first device row 2.
"""

import csv
import io
from dataclasses import dataclass

from dapp.devices.bulk import template
from dapp.devices.errors import (
    UploadDuplicateColumns,
    UploadEmpty,
    UploadMissingColumns,
    UploadNotCsv,
    UploadNotUtf8,
    UploadTooLarge,
    UploadTooManyRows,
    UploadUnknownColumns,
    UploadWithoutRows,
)
from dapp.errors import Invalid

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Row:
    number: int
    cells: dict[str, str]
    extra_cells: int = 0


@dataclass(frozen=True)
class CsvFile:
    columns: list[str]
    rows: list[Row]


def refuse(error: type[Invalid], detail: str) -> Invalid:
    """The refusal of the whole file, named for its field (`file`)."""
    return error(detail, errors=[{"field": "file", "code": error.code, "message": detail}])


def read(data: bytes) -> CsvFile:
    """The rows of an upload, or an `Invalid` error saying why the whole file is refused."""
    if len(data) > MAX_BYTES:
        raise refuse(UploadTooLarge, f"The file has {len(data):,} bytes; the limit is 10 MB ({MAX_BYTES:,} bytes).")
    text = _decode(data)
    if not text.strip():
        raise refuse(UploadEmpty, "The file is empty: it needs a header row and at least one device row.")
    records = _records(text)
    columns = _columns(records[0])
    rows = [_row(number, columns, cells) for number, cells in enumerate(records[1:], start=2) if any(cells)]
    if not rows:
        raise refuse(UploadWithoutRows, "The file has a header row but no device rows.")
    if len(rows) > MAX_ROWS:
        raise refuse(UploadTooManyRows, f"The file has {len(rows):,} device rows; the limit is {MAX_ROWS:,} per file.")
    return CsvFile(columns, rows)


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise refuse(
            UploadNotUtf8,
            f"The file is not UTF-8 text (byte {data[error.start]:#04x} at position {error.start}). "
            "Save it as 'CSV UTF-8' and upload it again.",
        ) from error
    if "\x00" in text:
        raise refuse(UploadNotCsv, "The file contains binary data: it is not a CSV file.")
    return text


def _records(text: str) -> list[list[str]]:
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    try:
        return [[cell.strip() for cell in record] for record in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as error:
        raise refuse(UploadNotCsv, f"The file is not valid CSV: {error}.") from error


def _columns(header: list[str]) -> list[str]:
    columns = [cell.strip().lower().replace(" ", "_") for cell in header]
    unknown = [name for name in columns if name not in template.BY_NAME]
    if unknown:
        raise refuse(
            UploadUnknownColumns,
            f"The header has columns the template does not know: {', '.join(repr(c) for c in unknown)}. "
            f"Accepted columns: {', '.join(template.NAMES)}.",
        )
    duplicated = sorted({name for name in columns if columns.count(name) > 1})
    if duplicated:
        raise refuse(UploadDuplicateColumns, f"These columns appear more than once: {', '.join(duplicated)}.")
    missing = [name for name in template.REQUIRED if name not in columns]
    if missing:
        raise refuse(
            UploadMissingColumns,
            f"The header lacks the required columns {', '.join(missing)}. Start from the template, whose first "
            "row names every column.",
        )
    return columns


def _row(number: int, columns: list[str], cells: list[str]) -> Row:
    values = {name: cell for name, cell in zip(columns, cells, strict=False) if cell != ""}
    extra = sum(1 for cell in cells[len(columns) :] if cell != "")
    return Row(number, values, extra)
