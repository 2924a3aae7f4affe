"""RQ jobs of notifications: email the notifications written by committed units of work."""

from dapp import mail, platform
from dapp.notify import service

BATCH = 100


def send_notification_emails_job() -> int:
    """notify.send_notification_emails: email every unsent notification to its organization's members.

    Each batch is marked sent in the transaction that locked it; running the job twice sends nothing twice
    (a crash between sending and committing may repeat a batch: email is delivered at least once).
    """
    p = platform.current()
    sent = 0
    while True:
        with p.db.unit_of_work() as session:
            batch = service.claim_unsent(session, BATCH)
            for notification in batch:
                link = f"\n\n{p.settings.base_url}{notification.link}" if notification.link else ""
                for address in service.recipients(session, notification.organization_id):
                    mail.send(address, notification.title, notification.body + link)
                notification.emailed_at = p.clock.now()
        sent += len(batch)
        if len(batch) < BATCH:
            return sent
