"""Addresses that carry a secret: a feed's, an invitation's, a group's join link, and the
mailed links that carry theirs in the query. Known in one place, because two rules need
them: the secret never reaches a log line, and search engines are asked not to index them.
"""

from __future__ import annotations

import re

# A secret as a path segment (the query is never logged).
_IN_PATH = re.compile(r"^(/feeds/|/invitations/|/groups/join/|/api/v1/invitations/|/api/v1/group-links/)[^/]+")
# Those, and the pages of mailed links, whose token is in the query.
PREFIXES = ("/feeds/", "/invitations/", "/groups/join/", "/api/v1/invitations/", "/api/v1/group-links/",
            "/reset-password", "/confirm-email")


def redact_path(path: str) -> str:
    """`path` as it may be logged: /invitations/[redacted]/accept."""
    return _IN_PATH.sub(r"\1[redacted]", path)


def holds_secret(path: str) -> bool:
    return path.startswith(PREFIXES)
