"""RQ jobs of accounts: the emails with single-use links. Each takes an id, makes the link's token in its own
unit of work (so the token never leaves the process that sends it, and is valid once committed), then sends.

Running one twice sends a second email whose link replaces the first; an account that no longer needs the email
(confirmed, disabled, anonymised; an invitation no longer pending) gets none.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta

from dapp import platform
from dapp.accounts import emails
from dapp.accounts.service.credentials import may_reset_password
from dapp.accounts.service.invitations import inviter_name, issue_link
from dapp.accounts.service.registration import awaits_confirmation
from dapp.accounts.tokens import CONFIRMATION_TTL, RESET_TTL, issue_email_token
from dapp.models.accounts import Invitation, InvitationStatus, Organization, TokenPurpose, User


def send_confirmation_job(user_id: str) -> bool:
    """accounts.send_confirmation: a confirmation link valid for 24 hours; False when none is needed."""
    return _send_link(
        user_id, awaits_confirmation, TokenPurpose.CONFIRM_EMAIL, CONFIRMATION_TTL, emails.send_confirmation
    )


def send_password_reset_job(user_id: str) -> bool:
    """accounts.send_password_reset: a reset link valid for one hour; False when the account may not use one."""
    return _send_link(user_id, may_reset_password, TokenPurpose.RESET_PASSWORD, RESET_TTL, emails.send_password_reset)


def _send_link(
    user_id: str,
    wants_it: Callable[[User], bool],
    purpose: TokenPurpose,
    ttl: timedelta,
    send: Callable[[str, str], None],
) -> bool:
    """A new single-use token for `purpose`, committed, then emailed to the user; False when `wants_it` says no."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        user = session.get(User, uuid.UUID(user_id))
        if user is None or not wants_it(user):
            return False
        email, token = user.email, issue_email_token(session, p.clock.now(), user, purpose, ttl)
    send(email, token)
    return True


def send_registration_attempt_job(user_id: str) -> bool:
    """accounts.send_registration_attempt: tell an account's owner that someone signed up with their address,
    with a password-reset link valid for one hour; False when the account may not use one."""
    return _send_link(
        user_id, may_reset_password, TokenPurpose.RESET_PASSWORD, RESET_TTL, emails.send_registration_attempt
    )


def send_invitation_job(invitation_id: str) -> bool:
    """accounts.send_invitation: the invitation's link, valid until it expires; False unless still pending."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        invitation = session.get(Invitation, uuid.UUID(invitation_id))
        if invitation is None or invitation.effective_status(p.clock.now()) != InvitationStatus.PENDING.value:
            return False
        token = issue_link(invitation)
        organization = session.get_one(Organization, invitation.organization_id).name
        inviter = inviter_name(session, invitation)
    emails.send_invitation(invitation, token, organization, inviter)
    return True
