"""The emails accounts send. Links carry single-use tokens; no email ever contains a password."""

from dapp import platform
from dapp.accounts.permissions import names
from dapp.accounts.service.invitations import SentInvitation
from dapp.notify import mail


def _link(path: str, token: str) -> str:
    return f"{platform.current().settings.base_url}{path}?token={token}"


def send_confirmation(email: str, token: str) -> None:
    mail.send(
        email,
        "Confirm your email address",
        f"Welcome to the D-REC registry.\n\nConfirm your email address by opening this link within 24 hours:\n"
        f"{_link('/confirm-email', token)}\n\nIf you did not register, ignore this message.\n",
    )


def send_password_reset(email: str, token: str) -> None:
    mail.send(
        email,
        "Reset your password",
        "Someone (hopefully you) asked to reset the password of your D-REC registry account.\n\n"
        f"Choose a new password by opening this link within one hour (it works once):\n"
        f"{_link('/reset-password', token)}\n\nIf you did not ask for this, ignore this message: "
        "your password stays as it is.\n",
    )


def send_invitation(sent: SentInvitation) -> None:
    invitation = sent.invitation
    granted = "\n".join(
        f"  - {module}: {', '.join(names(bits))}" for module, bits in invitation.permissions.items() if bits
    )
    mail.send(
        invitation.email,
        f"{sent.inviter_name} invites you to {sent.organization_name} on the D-REC registry",
        f"Hello {invitation.first_name},\n\n{sent.inviter_name} invites you to join {sent.organization_name} "
        f"on the D-REC registry with these permissions:\n{granted}\n\n"
        f"Open this link within 7 days to choose your password and accept, or to decline:\n"
        f"{_link('/invitations/respond', sent.token)}\n\nIf you do not know this organization, ignore this message.\n",
    )
