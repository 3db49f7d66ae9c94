"""Calendar feeds: private per-user feeds behind a secret URL, and public org feeds."""
