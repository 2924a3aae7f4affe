"""CSV upload of reads for many devices (R-READ-11): one row per read, grouped into device blocks and recorded
like a multi-device batch; the answer lists every row with its outcome."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.orm import Session

from dapp.accounts.permissions import Actor
from dapp.errors import Invalid
from dapp.reads.ingest import Block, ingest
from dapp.reads.schemas import MAX_READS_PER_REQUEST, ReadBatchCreate, ReadIn
from dapp.reads.validation import Policy

MAX_BYTES = 10 * 1024 * 1024
COLUMNS = ["external_id", "type", "unit", "start", "end", "value", "timezone"]
TEMPLATE = (
    ",".join(COLUMNS)
    + "\nSHS-001,delta,Wh,,2026-06-01T12:00:00+03:00,1250,\n"
    + "SHS-002,history,kWh,2026-05-01T00:00:00,2026-05-02T00:00:00,14.5,Africa/Nairobi\n"
)


@dataclass
class RowOutcome:
    row: int
    external_id: str
    status: str
    reason_code: str | None
    detail: str | None
    energy_wh: int | None


def record_csv(session: Session, actor: Actor, data: bytes, policy: Policy) -> list[RowOutcome]:
    rows = _rows(data)
    groups: dict[tuple[str, str, str, str], list[tuple[int, dict[str, str]]]] = defaultdict(list)
    outcomes: list[RowOutcome] = []
    for number, row in rows:
        key = (
            row.get("external_id", "").strip(),
            row.get("type", "").strip().lower(),
            row.get("unit", "").strip(),
            row.get("timezone", "").strip(),
        )
        groups[key].append((number, row))
    blocks, numbers = [], []
    for (external_id, read_type, unit, timezone), members in groups.items():
        try:
            batch = ReadBatchCreate(
                type=read_type,
                unit=unit,
                timezone=timezone or None,
                reads=[
                    ReadIn(start=r.get("start") or None, end=r.get("end", ""), value=r.get("value", ""))
                    for _, r in members
                ],
            )
        except ValidationError as error:
            detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors(include_url=False))
            outcomes += [RowOutcome(n, external_id, "rejected", "invalid_row", detail, None) for n, _ in members]
            continue
        blocks.append(Block(external_id, batch))
        numbers.append([n for n, _ in members])
    for block, row_numbers, results in zip(
        blocks, numbers, ingest(session, actor.organization_id, blocks, policy, False), strict=True
    ):
        outcomes += [
            RowOutcome(row_numbers[r.index], block.external_id, r.status, r.reason_code, r.detail, r.energy_wh)
            for r in results
        ]
    return sorted(outcomes, key=lambda o: o.row)


def _rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    if len(data) > MAX_BYTES:
        raise Invalid("The file is larger than 10 MB.", code="file_too_large")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Invalid("The file is not UTF-8 text.", code="not_utf8") from error
    reader = csv.DictReader(io.StringIO(text))
    missing = {"external_id", "type", "unit", "end", "value"} - set(reader.fieldnames or [])
    if missing:
        raise Invalid(
            f"The header row lacks {', '.join(sorted(missing))}; the columns are {', '.join(COLUMNS)}.",
            code="bad_header",
        )
    rows = [(number, row) for number, row in enumerate(reader, start=2)]
    if not rows:
        raise Invalid("The file has no reads.", code="empty_file")
    if len(rows) > MAX_READS_PER_REQUEST:
        raise Invalid(f"At most {MAX_READS_PER_REQUEST:,} reads per file ({len(rows):,} sent).", code="too_many_rows")
    return rows
