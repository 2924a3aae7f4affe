"""The emails accounts send."""

from dapp import platform
from dapp.notify import mail


def send_confirmation(email: str, token: str) -> None:
    link = f"{platform.current().settings.base_url}/confirm-email?token={token}"
    mail.send(
        email,
        "Confirm your email address",
        f"Welcome to the D-REC registry.\n\nConfirm your email address by opening this link within 24 hours:\n"
        f"{link}\n\nIf you did not register, ignore this message.\n",
    )
