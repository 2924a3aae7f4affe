"""Platform-admin use cases: creating admins (CLI), listing and disabling organizations and users.

Disabling is reversible and immediate: a disabled organization's members and API keys, and a disabled user,
authenticate as nobody from the next request on (see dapp.access.auth), and their sign-in sessions end (enabling
again does not bring them back). Every change is audited in the
organization's log.
"""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.access.permissions import PlatformAdmin
from dapp.access.sessions import EndReason, end_sessions
from dapp.accounts.errors import EmailTaken
from dapp.accounts.passwords import check_password
from dapp.accounts.service.api_keys import notify_stopping_keys
from dapp.accounts.service.registration import require_free_email
from dapp.admin.errors import OrganizationNotFound, OwnAccountLocked, UserNotFound
from dapp.admin.schemas import OrganizationSummary, PlatformAdminCreate, UserSummary
from dapp.admin.service.catalog import matching
from dapp.audit import service as audit
from dapp.db import flush_or_raise
from dapp.models.accounts import Organization, User
from dapp.security import hash_password


def create_platform_admin(session: Session, now: datetime, data: PlatformAdminCreate) -> User:
    """A platform admin: no organization, email counted as confirmed (the operator typed it)."""
    check_password(data.password, personal=(data.email, data.first_name, data.last_name))
    require_free_email(session, data.email)
    user = User(
        first_name=data.first_name,
        last_name=data.last_name,
        email=data.email,
        password_hash=hash_password(data.password),
        is_platform_admin=True,
        permissions={},
        email_confirmed_at=now,
    )
    session.add(user)
    flush_or_raise(session, EmailTaken("An account with this email already exists."))
    audit.record(session, None, "platform_admin.create", "user", user.id, after={"email": user.email}, now=now)
    return user


def list_organizations(session: Session, search: str | None = None) -> list[OrganizationSummary]:
    """Every organization (or those whose name or address has every word of `search`), by name."""
    members = (
        select(func.count(User.id))
        .where(User.organization_id == Organization.id, User.anonymised_at.is_(None))
        .scalar_subquery()
    )
    scope = matching(select(Organization, members), (Organization.name, Organization.address), search)
    rows = session.execute(scope.order_by(func.lower(Organization.name)))
    return [
        OrganizationSummary(
            id=org.id,
            name=org.name,
            type=org.type,
            address=org.address,
            created_at=org.created_at,
            disabled_at=org.disabled_at,
            members=count,
        )
        for org, count in rows
    ]


def list_users(session: Session, organization_id: uuid.UUID | None = None) -> list[UserSummary]:
    query = select(User, Organization.name).outerjoin(Organization, Organization.id == User.organization_id)
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    rows = session.execute(query.order_by(func.lower(User.email)))
    return [user_summary(user, name) for user, name in rows]


def user_summary(user: User, organization_name: str | None) -> UserSummary:
    return UserSummary(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        organization_id=user.organization_id,
        organization_name=organization_name,
        is_org_admin=user.is_org_admin,
        is_platform_admin=user.is_platform_admin,
        is_disabled=user.is_disabled,
        email_confirmed_at=user.email_confirmed_at,
        anonymised_at=user.anonymised_at,
    )


def get_organization(session: Session, organization_id: uuid.UUID) -> Organization:
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise OrganizationNotFound("There is no organization with this id.")
    return organization


def set_organization_disabled(
    session: Session, admin: PlatformAdmin, now: datetime, organization_id: uuid.UUID, disabled: bool
) -> Organization:
    organization = get_organization(session, organization_id)
    if (organization.disabled_at is not None) == disabled:
        return organization  # already so: nothing to change or audit
    organization.disabled_at = now if disabled else None
    if disabled:
        members = list(session.scalars(select(User.id).where(User.organization_id == organization.id)))
        end_sessions(session, members, now, EndReason.ACCOUNT_DISABLED)
    action = "organization.disable" if disabled else "organization.enable"
    audit.record(session, admin, action, "organization", organization.id, now=now, organization_id=organization.id)
    return organization


def set_user_disabled(
    session: Session, admin: PlatformAdmin, now: datetime, user_id: uuid.UUID, disabled: bool
) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound("There is no user with this id.")
    if user.id == admin.user_id:
        raise OwnAccountLocked("You cannot disable your own account.")
    if user.is_disabled == disabled:
        return user
    user.is_disabled = disabled
    if disabled:
        end_sessions(session, [user.id], now, EndReason.ACCOUNT_DISABLED)
        notify_stopping_keys(session, user, now, f"{user.first_name} {user.last_name}, who was disabled")
    action = "user.disable" if disabled else "user.enable"
    audit.record(session, admin, action, "user", user.id, now=now, organization_id=user.organization_id)
    return user
