"""Request and response models of the audit log."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from dapp.web.paging import PageQuery

ActionPrefix = Field(default=None, max_length=60, description="Only actions starting with this, e.g. `api_key.`.")


class AuditLogFilter(PageQuery):
    """Query parameters of the audit log."""

    action: str | None = ActionPrefix


class AuditQuery(BaseModel):
    organization_id: uuid.UUID
    action: str | None = ActionPrefix
    page: int = 1
    size: int = 50


class AuditEntryRead(BaseModel):
    id: int
    at: datetime
    action: str
    actor: str
    actor_user_id: uuid.UUID | None
    actor_api_key_id: uuid.UUID | None
    subject_type: str
    subject_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[AuditEntryRead]
    page: int
    size: int
    total: int
