"""Notifications: email (files under var/mail in development, SMTP when configured)."""
