"""Pages of accounts: the person's own account and sign-in (`account`), and their organization (`organization`)."""
