"""Platform administration (R-ACC-7): platform admins, created by `drec admin create`, list and disable
organizations and users. Platform admins belong to no organization and hold no organization permissions."""
