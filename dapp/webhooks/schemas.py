"""Request and response models of webhooks."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from dapp.models.webhooks import EVENT_KINDS


def _known_kinds(kinds: list[str]) -> list[str]:
    unknown = [kind for kind in kinds if kind not in EVENT_KINDS]
    if unknown:
        raise ValueError(f"unknown event kinds {unknown}; known: {', '.join(EVENT_KINDS)}")
    return sorted(set(kinds))


EventKind = Annotated[str, Field(max_length=max(len(kind) for kind in EVENT_KINDS))]
EventKinds = Annotated[
    list[EventKind],
    Field(min_length=1, max_length=len(EVENT_KINDS), description="Kinds of events: " + ", ".join(EVENT_KINDS)),
    AfterValidator(_known_kinds),
]
Url = Annotated[str, Field(min_length=1, max_length=2000, description="http:// or https://, a public address")]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url
    events: EventKinds
    description: str = Field(default="", max_length=200)


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    events: EventKinds | None = None
    description: str | None = Field(default=None, max_length=200)
    is_enabled: bool | None = Field(default=None, description="true enables a disabled endpoint (due tries resume)")


class WebhookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    url: str
    description: str
    events: list[str]
    created_at: datetime
    disabled_at: datetime | None
    disabled_reason: str | None


class WebhookCreated(WebhookRead):
    secret: str = Field(description="Signs every delivery (docs/webhooks.md). Shown in this response only.")


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempted_at: datetime
    status_code: int | None
    response_ms: int
    error: str | None


class DeliveryRead(BaseModel):
    id: int
    event_id: uuid.UUID = Field(description="The event's id, the body's `id`: the same on every try and re-send.")
    event_kind: str
    status: str = Field(description="pending (waiting for a try), succeeded or failed (every try failed)")
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_response_ms: int | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None
    tries: list[AttemptRead]


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    page: int
    size: int
    total: int
