"""Who a user acts as (organization member or platform admin), and whether they may sign in at all.

Free of Flask, so services can build the actor of a user they just authenticated.
"""

import uuid

from sqlalchemy.orm import Session

from dapp.access.permissions import Actor, PlatformAdmin
from dapp.models.accounts import Organization, User


def actor_for_user(session: Session, user_id: uuid.UUID) -> Actor | PlatformAdmin | None:
    """Who a signed-in user acts as, or None when they may no longer act at all."""
    user = session.get(User, user_id)
    if user is None or not may_sign_in(session, user):
        return None
    if user.is_platform_admin:
        return PlatformAdmin(user.id)
    assert user.organization_id is not None  # may_sign_in refuses members without an organization
    organization = session.get_one(Organization, user.organization_id)
    return Actor(
        organization.id,
        organization.type,
        user_id=user.id,
        permissions=dict(user.permissions),
        is_org_admin=user.is_org_admin,
    )


def may_sign_in(session: Session, user: User) -> bool:
    """Enabled, not anonymised, and either a platform admin or a member of an enabled organization."""
    if user.is_disabled or user.anonymised_at is not None:
        return False
    if user.is_platform_admin:
        return True
    if user.organization_id is None:
        return False
    return session.get_one(Organization, user.organization_id).disabled_at is None
