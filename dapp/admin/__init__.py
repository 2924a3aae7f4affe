"""Platform administration (R-ACC-7): platform admins, created by `drec admin create`, list and disable
organizations and users, and watch and retry the chain outbox. Platform admins belong to no organization and hold
no organization permissions."""
