"""Domain events: what a use case records for the organization it concerns (R-API-2).

`emit` writes an `Event` row in the use case's own transaction and asks for the webhooks' fan-out after the
commit, so an event exists exactly when the change it announces does, and nothing in the request waits for a
receiver. Features call this module and never the webhooks feature (which stands above them); the kinds are the
code list `dapp.models.webhooks.EVENT_KINDS`.
"""

import uuid
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert
from sqlalchemy.orm import Session

from dapp.models.webhooks import EVENT_KINDS, Event
from dapp.platform import enqueue_after_commit

FAN_OUT = "webhooks.fan_out_events"


def emit(session: Session, organization_id: uuid.UUID, kind: str, data: dict[str, Any], now: datetime) -> None:
    """Record that `kind` happened to the organization, with `data` (ids, amounts, instants) for its receivers."""
    emit_many(session, [(organization_id, kind, data)], now)


def emit_many(session: Session, events: list[tuple[uuid.UUID, str, dict[str, Any]]], now: datetime) -> None:
    """Record several events in one statement (the indexer marks many certificates minted at once)."""
    if not events:
        return
    unknown = {kind for _, kind, _ in events} - set(EVENT_KINDS)
    if unknown:
        raise ValueError(f"unknown event kinds: {sorted(unknown)}; add them to EVENT_KINDS")
    rows = [
        {"public_id": uuid.uuid4(), "organization_id": org, "kind": kind, "data": plain(data), "occurred_at": now}
        for org, kind, data in events
    ]
    session.execute(insert(Event), rows)
    enqueue_after_commit(session, FAN_OUT)


def plain(data: dict[str, Any]) -> dict[str, Any]:
    """`data` in JSON's own types: UUIDs and instants as strings."""
    value: dict[str, Any] = orjson.loads(orjson.dumps(data))
    return value
