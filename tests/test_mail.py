"""Outgoing email: a subject made from a name stored before names had to fit on one line still goes out."""

from dapp import mail
from tests.support.mailbox import messages_to


def test_a_subject_with_line_breaks_is_sent_on_one_line(app, settings) -> None:
    mail.send("ina@example.org", "You are invited to Sunny\r\nSolar\n", "Welcome.")
    [(subject, body)] = messages_to(settings.mail_dir, "ina@example.org")
    assert subject == "You are invited to Sunny Solar"
    assert body.strip() == "Welcome."
