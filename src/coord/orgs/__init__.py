"""Organizations, their members and roles, and venues."""
