"""Organizations, users, permissions (ACL), API keys, sign-up, email confirmation and sessions."""
