"""Outgoing email. Embedded default: one `.eml` file per message in `var/mail`; SMTP when `DREC_SMTP_URL` is set."""

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from dapp import platform

SENDER = "D-REC registry <no-reply@drec.local>"


def send(to: str, subject: str, body: str) -> None:
    """Send one message. The subject is put on one line: it is built from names (an organization's, a person's),
    and a line break in a header makes the message impossible to write (ADR 0080)."""
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = to
    message["Subject"] = " ".join(subject.split())
    message["Message-ID"] = make_msgid(domain="drec.local")
    message.set_content(body)
    settings = platform.current().settings
    if settings.smtp_url:
        _send_smtp(settings.smtp_url, message)
    else:
        _write_file(settings.mail_dir, message)


def _write_file(mail_dir: Path, message: EmailMessage) -> None:
    mail_dir.mkdir(parents=True, exist_ok=True)
    name = message["Message-ID"].strip("<>").replace("@", "_")
    temporary = mail_dir / f".{name}.tmp"
    temporary.write_bytes(bytes(message))
    temporary.rename(mail_dir / f"{name}.eml")


def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    with smtplib.SMTP(parts.hostname or "localhost", parts.port or 25, timeout=30) as client:
        if parts.scheme == "smtp+starttls":
            client.starttls()
        if parts.username:
            client.login(parts.username, parts.password or "")
        client.send_message(message)
