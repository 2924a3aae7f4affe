"""CSV upload of reads for many devices (R-READ-11): one row per read, grouped into device blocks and recorded
like a multi-device batch; the answer lists every row with its outcome."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.errors import Invalid
from dapp.reads.errors import BadHeader, EmptyFile, FileTooLarge, NotUtf8, TooManyRows
from dapp.reads.ingest import Block, ingest
from dapp.reads.schemas import MAX_READS_PER_REQUEST, EnergyUnit, ReadBatchCreate, ReadIn, ReadType
from dapp.reads.timestamps import zone
from dapp.reads.units import WH_PER_UNIT
from dapp.reads.validation import Policy

MAX_BYTES = 10 * 1024 * 1024
COLUMNS = ["external_id", "type", "unit", "start", "end", "value", "timezone"]
TEMPLATE = (
    ",".join(COLUMNS)
    + "\nSHS-001,delta,Wh,,2026-06-01T12:00:00+03:00,1250,\n"
    + "SHS-002,history,kWh,2026-05-01T00:00:00,2026-05-02T00:00:00,14.5,Africa/Nairobi\n"
)


class CsvRead(BaseModel):
    """One row of the upload, checked on its own: a bad row is rejected without touching its neighbours."""

    model_config = ConfigDict(str_strip_whitespace=True)

    external_id: str = Field(min_length=1, max_length=64)
    type: ReadType
    unit: EnergyUnit
    start: str | None = None
    end: str = Field(min_length=1)
    value: Decimal
    timezone: str | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("start", "timezone", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                zone(value)
            except Invalid as error:
                raise ValueError(error.detail) from error
        return value

    def as_wh(self) -> ReadIn:
        """The read with its value in Wh (exact), so rows of one device in different units form one block."""
        return ReadIn(start=self.start, end=self.end, value=self.value * WH_PER_UNIT[self.unit])


@dataclass
class RowOutcome:
    row: int
    external_id: str
    status: str
    reason_code: str | None
    detail: str | None
    energy_wh: int | None


Key = tuple[str, ReadType, str | None]


def record_csv(session: Session, actor: Actor, data: bytes, policy: Policy) -> list[RowOutcome]:
    """Every row's outcome, in file order. Rows form one block per (external id as written, type, zone); blocks
    naming one device in any letter case are judged as that one device, its ongoing reads in time order (ADR 0035),
    and each row's outcome keeps the id as the row wrote it."""
    groups: dict[Key, list[tuple[int, ReadIn]]] = defaultdict(list)
    outcomes: list[RowOutcome] = []
    for number, row in _rows(data):
        try:
            read = CsvRead.model_validate({k: v for k, v in row.items() if k in COLUMNS})
        except ValidationError as error:
            outcomes.append(
                RowOutcome(number, (row.get("external_id") or "").strip(), "rejected", "invalid_row", _why(error), None)
            )
            continue
        groups[(read.external_id, read.type, read.timezone)].append((number, read.as_wh()))
    blocks = [
        Block(
            external_id,
            ReadBatchCreate(type=read_type, unit=EnergyUnit.WH, timezone=timezone, reads=[r for _, r in members]),
        )
        for (external_id, read_type, timezone), members in groups.items()
    ]
    results = ingest(session, actor.organization_id, blocks, policy, False) if blocks else []
    for block, members, block_results in zip(blocks, groups.values(), results, strict=True):
        outcomes += [
            RowOutcome(members[r.index][0], block.external_id, r.status, r.reason_code, r.detail, r.energy_wh)
            for r in block_results
        ]
    return sorted(outcomes, key=lambda o: o.row)


def _why(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors(include_url=False))


def _rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    if len(data) > MAX_BYTES:
        raise FileTooLarge("The file is larger than 10 MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotUtf8("The file is not UTF-8 text.") from error
    reader = csv.DictReader(io.StringIO(text))
    missing = {"external_id", "type", "unit", "end", "value"} - set(reader.fieldnames or [])
    if missing:
        raise BadHeader(
            f"The header row lacks {', '.join(sorted(missing))}; the columns are {', '.join(COLUMNS)}.",
        )
    rows = [(number, row) for number, row in enumerate(reader, start=2)]
    if not rows:
        raise EmptyFile("The file has no reads.")
    if len(rows) > MAX_READS_PER_REQUEST:
        raise TooManyRows(f"At most {MAX_READS_PER_REQUEST:,} reads per file ({len(rows):,} sent).")
    return rows
