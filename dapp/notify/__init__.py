"""Notifications: an organization's in-app notifications, emailed to its members by a job
(`notify.send_notification_emails`) once the unit of work that wrote them has committed."""
