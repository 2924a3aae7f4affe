"""Request and response models of notifications."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from dapp.web.paging import PageQuery


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    title: str
    body: str
    link: str | None = Field(default=None, description="The path of the page the notification announces.")
    created_at: datetime
    read_at: datetime | None


class NotificationQuery(PageQuery):
    unread: bool = Field(default=False, description="true: unread notifications only.")


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    page: int
    size: int
    total: int
    unread: int


class MarkRead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[uuid.UUID] | None = Field(default=None, max_length=1000, description="Omit to mark every one read.")


class MarkedRead(BaseModel):
    marked: int
