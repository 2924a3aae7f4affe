"""Platform operators' use cases (R-ACC-7): organizations, users and platform admins; the chain outbox."""
