"""Access control: modules × permission bits (R-ACC-5), and the actor a request acts as."""

import uuid
from dataclasses import dataclass, field
from enum import IntFlag, StrEnum


class Module(StrEnum):
    ORGANIZATION = "organization"
    USERS = "users"
    DEVICES = "devices"
    BULK_UPLOAD = "bulk_upload"
    METER_READS = "meter_reads"
    RESERVATIONS = "reservations"
    CERTIFICATES = "certificates"
    API_KEYS = "api_keys"


class Permission(IntFlag):
    READ = 1
    WRITE = 2
    UPDATE = 4
    DELETE = 8


ALL = Permission.READ | Permission.WRITE | Permission.UPDATE | Permission.DELETE
READ_ONLY: dict[str, int] = {module.value: int(Permission.READ) for module in Module}
FULL: dict[str, int] = {module.value: int(ALL) for module in Module}


@dataclass(frozen=True)
class Actor:
    """Who performs a request: a user (session) or an API key, always inside one organization."""

    organization_id: uuid.UUID
    organization_type: str
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    permissions: dict[str, int] = field(default_factory=dict)
    is_org_admin: bool = False

    def can(self, module: Module, permission: Permission) -> bool:
        if self.is_org_admin and self.api_key_id is None:
            return True
        return bool(self.permissions.get(module.value, 0) & permission)
