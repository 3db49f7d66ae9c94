"""Identity: accounts, passwords, bearer tokens, the current user."""
