"""Invitations (R-ACC-4): an admin invites a person with permissions; the person sets a password and accepts.

No account exists until the invitation is accepted, and no password is ever sent by email. Invitations expire
after 7 days and can be revoked while pending. A person who already has an account (and so belongs to an
organization) cannot be invited into another one.
"""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dapp.access.actors import actor_for_user
from dapp.access.permissions import READ_ONLY, Actor, complete, grants_within, names, parse_grants, within_type
from dapp.accounts.errors import (
    AlreadyInOrganization,
    InvalidToken,
    InvitationAlreadyAnswered,
    InvitationExpired,
    InvitationNotFound,
    InvitationNotPending,
    InvitationPending,
    OrganizationDisabled,
)
from dapp.accounts.passwords import check_password
from dapp.accounts.schemas import InvitationAcceptance, InvitationCreate, InvitationRead
from dapp.accounts.service.registration import find_user_by_email
from dapp.audit import service as audit
from dapp.db import flush_or_raise
from dapp.errors import Conflict
from dapp.models.accounts import Invitation, InvitationStatus, Organization, User
from dapp.platform import enqueue_after_commit
from dapp.security import hash_password, new_token, token_hash

INVITATION_TTL = timedelta(days=7)


def invite(session: Session, actor: Actor, now: datetime, data: InvitationCreate) -> Invitation:
    """Create a pending invitation and have its link emailed after the commit (`accounts.send_invitation`)."""
    grants = complete(parse_grants(data.permissions or {}))
    if not any(grants.values()):
        grants = complete(within_type(READ_ONLY, actor.organization_type))  # no permissions: read-only access
    grants_within(actor, grants)
    _require_invitable(session, actor, now, data.email)
    invitation = Invitation(
        organization_id=actor.organization_id,
        email=data.email,
        first_name=data.first_name,
        last_name=data.last_name,
        permissions=grants,
        invited_by_user_id=actor.user_id,
        invited_by_api_key_id=actor.api_key_id,
        token_hash=token_hash(new_token()),  # replaced by the link's token when the email is sent
        created_at=now,
        expires_at=now + INVITATION_TTL,
    )
    session.add(invitation)
    flush_or_raise(session, _already_invited(data.email))
    audit.record(session, actor, "invitation.create", "invitation", invitation.id, after=_summary(invitation), now=now)
    enqueue_after_commit(session, "accounts.send_invitation", str(invitation.id))
    return invitation


def issue_link(invitation: Invitation) -> str:
    """A new token for the invitation's link (the one emailed); an earlier link stops working."""
    token = new_token()
    invitation.token_hash = token_hash(token)
    return token


def inviter_name(session: Session, invitation: Invitation) -> str:
    """Who the email says invites: the person who did, or the organization when an API key did."""
    inviter = session.get(User, invitation.invited_by_user_id) if invitation.invited_by_user_id else None
    if inviter is not None:
        return f"{inviter.first_name} {inviter.last_name}"
    return session.get_one(Organization, invitation.organization_id).name


def _require_invitable(session: Session, actor: Actor, now: datetime, email: str) -> None:
    if find_user_by_email(session, email) is not None:
        raise AlreadyInOrganization(
            "This person already has an account in an organization and cannot be invited into another one.",
            errors=[{"field": "email", "code": "already_in_organization", "message": "already has an account"}],
        )
    same_email = (Invitation.organization_id == actor.organization_id) & (func.lower(Invitation.email) == email.lower())
    pending = (Invitation.status == InvitationStatus.PENDING.value) & same_email
    session.execute(
        update(Invitation).where(pending, Invitation.expires_at <= now).values(status=InvitationStatus.EXPIRED.value)
    )
    if session.scalar(select(Invitation.id).where(pending)):
        raise _already_invited(email)


def _already_invited(email: str) -> Conflict:
    return InvitationPending(
        f"{email} already has a pending invitation to your organization; revoke it first to send a new one.",
        errors=[{"field": "email", "code": "invitation_pending", "message": "already invited"}],
    )


def _summary(invitation: Invitation) -> dict[str, object]:
    return {
        "email": invitation.email,
        "permissions": {module: names(bits) for module, bits in invitation.permissions.items() if bits},
        "expires_at": invitation.expires_at,
    }


def list_invitations(session: Session, actor: Actor, now: datetime, pending_only: bool = False) -> list[InvitationRead]:
    """The organization's invitations, newest first, with expired ones shown as such."""
    query = select(Invitation).where(Invitation.organization_id == actor.organization_id)
    if pending_only:
        query = query.where(Invitation.status == InvitationStatus.PENDING.value, Invitation.expires_at > now)
    return [read(invitation, now) for invitation in session.scalars(query.order_by(Invitation.created_at.desc()))]


def read(invitation: Invitation, now: datetime) -> InvitationRead:
    return InvitationRead(
        id=invitation.id,
        email=invitation.email,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
        permissions={module: names(bits) for module, bits in invitation.permissions.items()},
        status=invitation.effective_status(now),
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        responded_at=invitation.responded_at,
    )


def revoke(session: Session, actor: Actor, now: datetime, invitation_id: uuid.UUID) -> Invitation:
    """Withdraw a pending invitation of the actor's organization; its link stops working."""
    invitation = session.scalar(
        select(Invitation)
        .where(Invitation.id == invitation_id, Invitation.organization_id == actor.organization_id)
        .with_for_update()
    )
    if invitation is None:
        raise InvitationNotFound("Your organization has no invitation with this id.")
    if invitation.effective_status(now) != InvitationStatus.PENDING:
        raise InvitationNotPending(
            f"This invitation is {invitation.effective_status(now)}; only pending invitations can be revoked.",
        )
    invitation.status = InvitationStatus.REVOKED.value
    invitation.responded_at = now
    audit.record(session, actor, "invitation.revoke", "invitation", invitation.id, before=_summary(invitation), now=now)
    return invitation


def find_pending(session: Session, now: datetime, token: str, lock: bool = False) -> Invitation:
    """The pending, unexpired invitation a link's token belongs to."""
    query = select(Invitation).where(Invitation.token_hash == token_hash(token))
    invitation = session.scalar(query.with_for_update() if lock else query)
    if invitation is None:
        raise InvalidToken("This invitation link is not valid.")
    status = invitation.effective_status(now)
    if status == InvitationStatus.EXPIRED:
        raise InvitationExpired(
            "This invitation has expired (invitations are valid for 7 days); ask for a new one.",
        )
    if status != InvitationStatus.PENDING:
        raise InvitationAlreadyAnswered(f"This invitation was already {status}.")
    return invitation


def preview(session: Session, now: datetime, token: str) -> tuple[Invitation, str]:
    """What the invitee sees before answering: the invitation and the organization's name."""
    invitation = find_pending(session, now, token)
    return invitation, session.get_one(Organization, invitation.organization_id).name


def accept(session: Session, now: datetime, data: InvitationAcceptance) -> User:
    """Create the invitee's account in the organization with the granted permissions and their own password."""
    invitation = find_pending(session, now, data.token, lock=True)
    check_password(data.password, personal=(invitation.email, invitation.first_name, invitation.last_name))
    _require_invitable_at_acceptance(session, invitation)
    user = User(
        organization_id=invitation.organization_id,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
        email=invitation.email,
        password_hash=hash_password(data.password),
        permissions=dict(invitation.permissions),
        email_confirmed_at=now,  # the link reached this mailbox
    )
    session.add(user)
    flush_or_raise(session, _has_account())
    invitation.status = InvitationStatus.ACCEPTED.value
    invitation.responded_at = now
    invitation.user_id = user.id
    audit.record(session, actor_for_user(session, user.id), "invitation.accept", "invitation", invitation.id, now=now)
    return user


def _require_invitable_at_acceptance(session: Session, invitation: Invitation) -> None:
    if find_user_by_email(session, invitation.email) is not None:
        raise _has_account()
    organization = session.get_one(Organization, invitation.organization_id)
    if organization.disabled_at is not None:
        raise OrganizationDisabled("This organization is disabled; the invitation cannot be accepted.")


def _has_account() -> Conflict:
    return AlreadyInOrganization(
        "An account with this email already exists, so it cannot join another organization.",
    )


def reject(session: Session, now: datetime, token: str) -> Invitation:
    """Decline an invitation; no account is created."""
    invitation = find_pending(session, now, token, lock=True)
    invitation.status = InvitationStatus.REJECTED.value
    invitation.responded_at = now
    audit.record(
        session,
        None,
        "invitation.reject",
        "invitation",
        invitation.id,
        now=now,
        organization_id=invitation.organization_id,
    )
    return invitation
