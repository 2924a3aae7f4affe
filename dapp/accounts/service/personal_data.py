"""GDPR (R-ACC-10): a person exports everything held about them, or has it anonymised.

Anonymising replaces name and email, makes the password unusable and removes the email from invitations and
audit summaries; the organization's registry records (devices, reads, reservations, certificates, and the audit
trail of who did what, by id) stay, because they are legal records.
"""

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from dapp.access.permissions import names
from dapp.access.sessions import EndReason, end_sessions
from dapp.accounts.schemas import Anonymisation, PersonalData
from dapp.accounts.service.api_keys import notify_stopping_keys
from dapp.audit import service as audit
from dapp.errors import field_error
from dapp.models.accounts import ApiKey, EmailToken, Invitation, Organization, User
from dapp.models.audit import AuditEntry
from dapp.security import verify_password

UNUSABLE_PASSWORD = "!anonymised"  # noqa: S105 - not an Argon2 hash, so no password ever matches it


def export(session: Session, now: datetime, user_id: uuid.UUID) -> PersonalData:
    user = session.get_one(User, user_id)
    organization = session.get(Organization, user.organization_id) if user.organization_id else None
    return PersonalData(
        profile=_profile(user),
        organization={"id": organization.id, "name": organization.name, "type": organization.type}
        if organization
        else None,
        api_keys_created=[
            _api_key(key) for key in session.scalars(select(ApiKey).where(ApiKey.created_by_id == user.id))
        ],
        invitations_received=[_invitation(i) for i in session.scalars(select(Invitation).where(_invitations_of(user)))],
        invitations_sent=[
            _invitation(i) for i in session.scalars(select(Invitation).where(Invitation.invited_by_user_id == user.id))
        ],
        actions=[_action(entry) for entry in session.scalars(_actions_of(user.id))],
        exported_at=now,
    )


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_org_admin": user.is_org_admin,
        "permissions": {module: names(bits) for module, bits in user.permissions.items()},
        "email_confirmed_at": user.email_confirmed_at,
        "created_at": user.created_at,
    }


def _api_key(key: ApiKey) -> dict[str, Any]:
    return {"name": key.name, "prefix": key.prefix, "created_at": key.created_at, "revoked_at": key.revoked_at}


def _invitations_of(user: User) -> Any:
    return or_(Invitation.user_id == user.id, func.lower(Invitation.email) == user.email.lower())


def _invitation(invitation: Invitation) -> dict[str, Any]:
    return {
        "email": invitation.email,
        "first_name": invitation.first_name,
        "last_name": invitation.last_name,
        "status": invitation.status,
        "created_at": invitation.created_at,
    }


def _actions_of(user_id: uuid.UUID) -> Any:
    return select(AuditEntry).where(AuditEntry.actor_user_id == user_id).order_by(AuditEntry.at)


def _action(entry: AuditEntry) -> dict[str, Any]:
    return {"action": entry.action, "subject_type": entry.subject_type, "subject_id": entry.subject_id, "at": entry.at}


def anonymise(session: Session, now: datetime, user_id: uuid.UUID, data: Anonymisation) -> User:
    """Replace the person's name and email everywhere personal data is kept; they can never sign in again."""
    user = session.get_one(User, user_id)
    if not verify_password(user.password_hash, data.password):
        raise field_error("password", "The password is wrong.", "wrong_password")
    notify_stopping_keys(session, user, now, "a member who deleted their account")
    old_email = user.email
    placeholder = f"deleted-{user.id}@anonymised.invalid"
    session.execute(
        update(Invitation)
        .where(_invitations_of(user))
        .values(email=placeholder, first_name="Deleted", last_name="person")
    )
    _scrub_audit_summaries(session, old_email, placeholder)
    session.execute(
        update(EmailToken).where(EmailToken.user_id == user.id, EmailToken.used_at.is_(None)).values(used_at=now)
    )
    user.first_name, user.last_name, user.email = "Deleted", "person", placeholder
    user.password_hash = UNUSABLE_PASSWORD
    user.anonymised_at = now
    end_sessions(session, [user.id], now, EndReason.ACCOUNT_ANONYMISED)
    audit.record(session, None, "user.anonymise", "user", user.id, now=now, organization_id=user.organization_id)
    return user


def _scrub_audit_summaries(session: Session, email: str, placeholder: str) -> None:
    """Audit entries stay (who did what, by id), but their summaries no longer carry the email."""
    pattern = re.escape(email)
    for column in (AuditEntry.before, AuditEntry.after):
        as_text = cast(column, String)
        session.execute(
            update(AuditEntry)
            .where(func.lower(as_text).contains(email.lower(), autoescape=True))
            .values({column.key: cast(func.regexp_replace(as_text, pattern, placeholder, "gi"), JSONB)})
        )
