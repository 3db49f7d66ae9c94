"""Addresses that carry a secret: a feed's, an invitation's, a group's join link, and the
mailed links that carry theirs in the query. Known in one place, because two rules need
them: the secret never reaches a log line, and search engines are asked not to index them.
"""

from __future__ import annotations

import re

# A secret as a path segment (the query is never logged).
_SEGMENT_PREFIXES = ("/feeds/", "/invitations/", "/groups/join/", "/api/v1/invitations/", "/api/v1/group-links/")
_IN_PATH = re.compile("^(" + "|".join(map(re.escape, _SEGMENT_PREFIXES)) + ")[^/]+")
# Those, and the pages of mailed links, whose token is in the query.
PREFIXES = (*_SEGMENT_PREFIXES, "/reset-password", "/confirm-email")


def redact_path(path: str) -> str:
    """`path` as it may be logged: /invitations/[redacted]/accept."""
    # Every request's access line asks: most paths hold no secret, and startswith is far cheaper.
    return _IN_PATH.sub(r"\1[redacted]", path) if path.startswith(_SEGMENT_PREFIXES) else path


def holds_secret(path: str) -> bool:
    return path.startswith(PREFIXES)
