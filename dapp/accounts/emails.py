"""The emails accounts send, from their jobs (dapp.accounts.jobs). Links carry single-use tokens; no email ever
contains a password."""

from dapp import mail, platform
from dapp.access.permissions import names
from dapp.models.accounts import Invitation


def _link(path: str, token: str) -> str:
    return f"{platform.current().settings.base_url}{path}?token={token}"


def send_confirmation(email: str, token: str) -> None:
    mail.send(
        email,
        "Confirm your email address",
        f"Welcome to the D-REC registry.\n\nConfirm your email address by opening this link within 24 hours:\n"
        f"{_link('/confirm-email', token)}\n\nIf you did not register, ignore this message.\n",
    )


def send_registration_attempt(email: str, token: str) -> None:
    """To the owner of an address someone tried to register again (the sign-up's answer said nothing of it)."""
    mail.send(
        email,
        "Someone tried to register with your email address",
        "Someone (perhaps you) tried to register a new organization on the D-REC registry with this email "
        "address, which already has an account. Nothing was created.\n\n"
        f"To sign in: {platform.current().settings.base_url}/login\n"
        f"Forgotten your password? Choose a new one within one hour (the link works once):\n"
        f"{_link('/reset-password', token)}\n\nIf it was not you, ignore this message: your account is unchanged.\n",
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


def send_invitation(invitation: Invitation, token: str, organization_name: str, inviter_name: str) -> None:
    granted = "\n".join(
        f"  - {module}: {', '.join(names(bits))}" for module, bits in invitation.permissions.items() if bits
    )
    mail.send(
        invitation.email,
        f"{inviter_name} invites you to {organization_name} on the D-REC registry",
        f"Hello {invitation.first_name},\n\n{inviter_name} invites you to join {organization_name} "
        f"on the D-REC registry with these permissions:\n{granted}\n\n"
        f"Open this link within 7 days to choose your password and accept, or to decline:\n"
        f"{_link('/invitations/respond', token)}\n\nIf you do not know this organization, ignore this message.\n",
    )
