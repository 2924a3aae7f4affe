"""Members of an organization and their permissions (R-ACC-5): admins change members' permissions, not roles."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.access.permissions import FULL, Actor, complete, grants_within, names, parse_grants, within_type
from dapp.accounts.errors import MemberIsAdmin, MemberNotFound, OwnPermissionsLocked
from dapp.accounts.schemas import MemberRead
from dapp.audit import service as audit
from dapp.models.accounts import User


def list_members(session: Session, actor: Actor) -> list[MemberRead]:
    """The organization's people (anonymised ones left out), admins first."""
    users = session.scalars(
        select(User)
        .where(User.organization_id == actor.organization_id, User.anonymised_at.is_(None))
        .order_by(User.is_org_admin.desc(), User.last_name, User.first_name)
    )
    return [member_read(user) for user in users]


def member_read(user: User) -> MemberRead:
    assert user.organization is not None  # members belong to an organization
    permissions = complete(within_type(FULL if user.is_org_admin else user.permissions, user.organization.type))
    return MemberRead(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        is_org_admin=user.is_org_admin,
        is_disabled=user.is_disabled,
        permissions={module: names(bits) for module, bits in permissions.items()},
    )


def change_permissions(
    session: Session, actor: Actor, now: datetime, user_id: uuid.UUID, requested: dict[str, list[str]]
) -> User:
    """Replace a member's permissions with `requested` (modules left out get none)."""
    member = session.scalar(
        select(User)
        .where(User.id == user_id, User.organization_id == actor.organization_id, User.anonymised_at.is_(None))
        .with_for_update()
    )
    if member is None:
        raise MemberNotFound("Your organization has no member with this id.")
    if member.is_org_admin:
        raise MemberIsAdmin("An admin holds every permission; an admin's role cannot be changed.")
    if member.id == actor.user_id:
        raise OwnPermissionsLocked("You cannot change your own permissions.")
    grants = complete(parse_grants(requested))
    grants_within(actor, grants)
    before = complete(member.permissions)
    member.permissions = grants
    old, new = audit.changes(_named(before), _named(grants))
    audit.record(session, actor, "user.permissions_change", "user", member.id, before=old, after=new, now=now)
    return member


def _named(grants: dict[str, int]) -> dict[str, list[str]]:
    return {module: names(bits) for module, bits in grants.items()}
