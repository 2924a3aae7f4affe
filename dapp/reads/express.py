"""The express lane of a single read (ADR 0058): one statement to read, one to write, no session.

A device that sends its latest read, with an API key, is the most frequent request the registry gets. Through the
full path it takes five round trips (`BEGIN`, the key, the device with its state locked, the write, `COMMIT`). Here
it takes two, in autocommit: the key, the device and its state in one `SELECT`; then one statement that moves the
state on and inserts the read, only if the state is still the one the read was judged against. The rules are the
same code as the full path's.

The lane answers only a request it can complete that way: a valid key that needs no `last_used_at` write and holds
the route's permission, a body that matches its model, one delta or aggregate read that is stored (accepted or
baseline; a flagged read takes the full path, which announces it to webhooks; so does a late one, ADR 0124), a
month whose partition is known, no `Idempotency-Key`. Anything else, and a state that another request (or issuance)
moved on in between, returns None with nothing written, and the request takes the full path, which gives every
refusal and error its answer.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.rows import namedtuple_row
from pydantic import ValidationError

from dapp.access.auth import API_KEY_WITH_HOLDERS, actor_for_key_row, key_prefix, needs_last_use
from dapp.access.permissions import Actor
from dapp.db import Database
from dapp.errors import Unauthenticated
from dapp.models.reads import ReadStatus
from dapp.reads import partitions
from dapp.reads.ingest import Block, Work, judge, late_spans, parse_blocks, read_row
from dapp.reads.schemas import ReadBatchCreate, ReadType
from dapp.reads.service.ingestion import summarize
from dapp.reads.store import DEVICE_OF_KEY, device_context, ongoing_state, write_read_if_unchanged
from dapp.reads.validation import Policy

# Composed, once, of two fixed statements: the key by its prefix, and the device of the key's organization.
KEY_AND_DEVICE = (
    f"SELECT k.*, d.* FROM ({API_KEY_WITH_HOLDERS}) AS k "  # noqa: S608 - fixed statements, no input
    f"LEFT JOIN LATERAL ({DEVICE_OF_KEY}) AS d ON true"
)


@dataclass(frozen=True)
class Request:
    """A single-read request as the transport hands it over: its API key, instant and raw body, and the route's
    access rule as a check on the key's actor."""

    api_key: str
    now: datetime
    body: bytes
    permits: Callable[[Actor], bool]


def record_read(db: Database, request: Request, external_id: str, policy: Policy) -> dict[str, Any] | None:
    """The `ReadBatchResult` of a single read stored by the express lane, or None for the full path."""
    prefix = key_prefix(request.api_key)
    if prefix is None:
        return None
    with db.autocommit_connection() as connection:
        with connection.cursor(row_factory=namedtuple_row) as cursor:
            row = cursor.execute(KEY_AND_DEVICE, {"prefix": prefix, "external_id": external_id.lower()}).fetchone()
        if not _admitted(request, row):
            return None
        batch = _single_read(request.body)
        if batch is None:
            return None
        device, state = device_context(row, policy.default_yield), ongoing_state(row)
        judged = dataclasses.replace(state)
        blocks = [Block(external_id, batch)]
        parsed = parse_blocks(blocks, {external_id.lower(): device})
        work = judge(blocks, parsed, {device.id: state}, {}, policy)
        if len(work.stored) != 1 or _flagged(work) or not partitions.known([work.stored[0].candidate.end]):
            return None
        if late_spans(work.stored, {device.id: state}):
            return None  # late energy is noted by the full path, under the state's lock (ADR 0124)
        if not write_read_if_unchanged(connection, read_row(work.stored[0], policy.now), judged, state):
            return None
    return summarize(external_id, work.results[0])


def _flagged(work: Work) -> bool:
    """A flagged read takes the full path, which announces it to the organization's webhooks (R-API-2)."""
    return work.stored[0].outcome.status == ReadStatus.FLAGGED


def _admitted(request: Request, row: Any) -> bool:
    """The key is valid, holds the route's permission and needs no write; the organization has the device."""
    try:
        actor = actor_for_key_row(row, request.api_key, request.now)
    except Unauthenticated:
        return False
    return not needs_last_use(row, request.now) and request.permits(actor) and row.id is not None


def _single_read(body: bytes) -> ReadBatchCreate | None:
    """The body as one delta or aggregate read; None for anything else (the full path says what is wrong)."""
    try:
        batch = ReadBatchCreate.model_validate_json(body or b"null")
    except ValidationError:
        return None
    return batch if len(batch.reads) == 1 and batch.type != ReadType.HISTORY else None
