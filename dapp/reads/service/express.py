"""The express lane of a single read (ADR 0058): one statement to read, one to write, no session.

A device that sends its latest read, with an API key, is the most frequent request the registry gets. Through the
full path it takes five round trips (`BEGIN`, the key, the device with its state locked, the write, `COMMIT`). Here
it takes two, in autocommit: the key, the device and its state in one `SELECT`; then one statement that moves the
state on and inserts the read, only if the state is still the one the read was judged against. The rules are the
same code as the full path's.

The lane answers only a request it can complete that way: a valid key that needs no `last_used_at` write and holds
the route's permission, a body that matches its model, one delta or aggregate read that is stored (accepted,
baseline or flagged), a month whose partition is known, no `Idempotency-Key`. Anything else, and a state that
another request moved on in between, returns None with nothing written, and the request takes the full path,
which gives every refusal and error its answer.
"""

import dataclasses
from typing import Any

from psycopg.rows import namedtuple_row

from dapp.accounts.auth import API_KEY_WITH_HOLDERS, actor_for_key_row, key_prefix, needs_last_use
from dapp.db import Database
from dapp.errors import Unauthenticated
from dapp.reads import partitions
from dapp.reads.ingest import DEVICE_OF_KEY, Block, device_context, judge, ongoing_state, parse_blocks, read_row
from dapp.reads.schemas import ReadBatchCreate, ReadType
from dapp.reads.service.ingestion import summarize
from dapp.reads.validation import Policy
from dapp.reads.writing import write_read_if_unchanged
from dapp.web.api import ExpressCall

# Composed, once, of two fixed statements: the key by its prefix, and the device of the key's organization.
KEY_AND_DEVICE = (
    f"SELECT k.*, d.* FROM ({API_KEY_WITH_HOLDERS}) AS k "  # noqa: S608 - fixed statements, no input
    f"LEFT JOIN LATERAL ({DEVICE_OF_KEY}) AS d ON true"
)


def record_read(db: Database, call: ExpressCall, external_id: str, policy: Policy) -> dict[str, Any] | None:
    """The `ReadBatchResult` of a single read stored by the express lane, or None for the full path."""
    prefix = key_prefix(call.api_key)
    if prefix is None:
        return None
    with db.autocommit_connection() as connection:
        with connection.cursor(row_factory=namedtuple_row) as cursor:
            row = cursor.execute(KEY_AND_DEVICE, {"prefix": prefix, "external_id": external_id.lower()}).fetchone()
        if not _admitted(call, row):
            return None
        batch = call.body()
        if not isinstance(batch, ReadBatchCreate) or len(batch.reads) != 1 or batch.type == ReadType.HISTORY:
            return None
        device, state = device_context(row, policy.default_yield), ongoing_state(row)
        judged = dataclasses.replace(state)
        blocks = [Block(external_id, batch)]
        parsed = parse_blocks(blocks, {external_id.lower(): device})
        work = judge(blocks, parsed, {device.id: state}, {}, policy)
        if len(work.stored) != 1 or not partitions.known([work.stored[0].candidate.end]):
            return None
        if not write_read_if_unchanged(connection, read_row(work.stored[0], policy.now), judged, state):
            return None
    return summarize(external_id, work.results[0])


def _admitted(call: ExpressCall, row: Any) -> bool:
    """The key is valid, holds the route's permission and needs no write; the organization has the device."""
    try:
        actor = actor_for_key_row(row, call.api_key, call.now)
    except Unauthenticated:
        return False
    return not needs_last_use(row, call.now) and call.permits(actor) and row.id is not None
