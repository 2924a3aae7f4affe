"""Notifications: in-app notifications of an organization and email (files under var/mail in development, SMTP
when configured). Features write a notification in their own unit of work; a job emails it after the commit."""
