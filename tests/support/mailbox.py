"""Reading the emails the platform wrote to var/mail (the embedded mail transport) in tests; the email queue's
jobs are worked first, as a worker would have by the time a person opens their mail."""

import email
import re
from pathlib import Path

from tests.support.workers import deliver_emails


def messages_to(mail_dir: Path, address: str) -> list[tuple[str, str]]:
    """(subject, body) of every email sent to `address`, oldest first."""
    deliver_emails()
    found = []
    for path in sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = email.message_from_bytes(path.read_bytes())
        if message["To"] == address:
            found.append((str(message["Subject"]), message.get_payload(decode=True).decode()))
    return found


def link_tokens(mail_dir: Path, address: str, path: str) -> list[str]:
    """The tokens of every `<path>?token=` link sent to `address`, oldest first."""
    pattern = re.compile(re.escape(path) + r"\?token=(\S+)")
    return [match.group(1) for _, body in messages_to(mail_dir, address) for match in pattern.finditer(body)]


def confirmation_tokens(mail_dir: Path, address: str) -> list[str]:
    return link_tokens(mail_dir, address, "/confirm-email")
