"""Access control: modules × permission bits (R-ACC-5), and who a request acts as."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntFlag, StrEnum

from dapp.access.errors import OrgAdminRequired, PermissionMissing, PersonRequired, PlatformAdminRequired
from dapp.errors import field_error


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
PERMISSION_NAMES = ["READ", "WRITE", "UPDATE", "DELETE"]  # in bit order

# The organization's type bounds its modules (R-ACC-5): a buyer cannot register devices, send reads or so
# certify its own energy; a developer does not reserve. Nobody of such an organization holds these modules,
# whatever their stored grants say (an admin included).
MODULES_OUTSIDE_TYPE: dict[str, frozenset[Module]] = {
    "developer": frozenset({Module.RESERVATIONS}),
    "buyer": frozenset({Module.DEVICES, Module.BULK_UPLOAD, Module.METER_READS}),
}


def modules_of(organization_type: str) -> list[Module]:
    """The modules an organization of this type may hold, in their order."""
    outside = MODULES_OUTSIDE_TYPE.get(organization_type, frozenset())
    return [module for module in Module if module not in outside]


def within_type(grants: Mapping[str, int], organization_type: str) -> dict[str, int]:
    """`grants` without the modules the organization's type never holds."""
    outside = MODULES_OUTSIDE_TYPE.get(organization_type, frozenset())
    return {module: bits for module, bits in grants.items() if module not in outside}


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
        return bool(self.bits(module) & permission)

    def bits(self, module: Module) -> int:
        """Every permission bit the actor holds on `module`: none on a module outside its organization's type."""
        if module in MODULES_OUTSIDE_TYPE.get(self.organization_type, frozenset()):
            return 0
        return int(ALL) if self.is_org_admin and self.api_key_id is None else self.permissions.get(module.value, 0)


@dataclass(frozen=True)
class PlatformAdmin:
    """A platform operator (R-ACC-7): belongs to no organization and holds no organization permissions."""

    user_id: uuid.UUID
    organization_id: None = None
    api_key_id: None = None

    def can(self, module: Module, permission: Permission) -> bool:  # noqa: ARG002 - same shape as Actor.can
        return False


@dataclass(frozen=True)
class Person:
    """A signed-in person (never an API key) acting on their own account: a member or a platform admin."""

    user_id: uuid.UUID
    acts_as: Actor | PlatformAdmin


def require(actor: Actor | PlatformAdmin, module: Module, permission: Permission) -> Actor:
    """The actor, a member holding `permission` on `module`; else 403 naming what it lacks."""
    if not isinstance(actor, Actor) or not actor.can(module, permission):
        raise PermissionMissing(
            f"This needs the {permission.name} permission on the '{module.value}' module.",
            module=module.value,
            permission=permission.name,
        )
    return actor


def require_person(actor: Actor | PlatformAdmin) -> Person:
    """The signed-in person behind the actor; API keys act for machines and are refused."""
    if actor.user_id is None:
        raise PersonRequired("Only a signed-in person can do this, not an API key.")
    return Person(actor.user_id, actor)


def require_org_admin(actor: Actor | PlatformAdmin) -> Actor:
    if not isinstance(actor, Actor) or not actor.is_org_admin or actor.api_key_id is not None:
        raise OrgAdminRequired("Only an admin of the organization can do this.")
    return actor


def require_platform_admin(actor: Actor | PlatformAdmin) -> PlatformAdmin:
    if not isinstance(actor, PlatformAdmin):
        raise PlatformAdminRequired("Only a platform admin can do this.")
    return actor


def parse_grants(requested: Mapping[str, list[str]], field_name: str = "permissions") -> dict[str, int]:
    """`{"devices": ["READ", "WRITE"]}` → `{"devices": 3}`; unknown names are field errors listing the accepted ones."""
    granted: dict[str, int] = {}
    for module_name, names in requested.items():
        module = _module(module_name, field_name)
        bits = 0
        for name in names:
            bits |= _permission(name, field_name)
        granted[module.value] = bits
    return granted


def grants_within(actor: Actor, grants: Mapping[str, int], field_name: str = "permissions") -> None:
    """Nobody hands out a permission they do not hold themselves."""
    for module_name, bits in grants.items():
        missing = Permission(bits & ~actor.bits(Module(module_name)))
        if missing and Module(module_name) in MODULES_OUTSIDE_TYPE.get(actor.organization_type, frozenset()):
            raise field_error(
                field_name,
                f"A {actor.organization_type} organization never holds '{module_name}'.",
                "module_outside_organization_type",
            )
        if missing:
            names = ", ".join(name for name in PERMISSION_NAMES if Permission[name] & missing)
            raise field_error(
                field_name, f"You cannot grant {names} on '{module_name}': you do not hold it.", "permission_not_held"
            )


def intersection(left: Mapping[str, int], right: Mapping[str, int]) -> dict[str, int]:
    """The permission bits held in both grants, per module."""
    return {module: int(bits) & int(right.get(module, 0)) for module, bits in left.items()}


def complete(grants: Mapping[str, int]) -> dict[str, int]:
    """A value for every module (0 where nothing was granted)."""
    return {module.value: int(grants.get(module.value, 0)) for module in Module}


def names(bits: int) -> list[str]:
    """Permission bits as names, in R, W, U, D order."""
    return [name for name in PERMISSION_NAMES if bits & Permission[name]]


def _module(value: str, field_name: str) -> Module:
    try:
        return Module(value)
    except ValueError as error:
        accepted = ", ".join(module.value for module in Module)
        raise field_error(field_name, f"Unknown module '{value}'; accepted: {accepted}.", "unknown_module") from error


def _permission(name: str, field_name: str) -> Permission:
    try:
        return Permission[name.upper()]
    except KeyError as error:
        raise field_error(
            field_name, f"Unknown permission '{name}'; accepted: {', '.join(PERMISSION_NAMES)}.", "unknown_permission"
        ) from error
