"""Addresses that carry a secret: a feed's, an invitation's, a group's join link, and the
mailed links that carry theirs in the query. Known in one place, because two rules need
them: the secret never reaches a log line, and search engines are asked not to index them.
"""

from __future__ import annotations

# A secret as a path segment (the query is never logged).
_SEGMENT_PREFIXES = ("/feeds/", "/invitations/", "/groups/join/", "/api/v1/invitations/", "/api/v1/group-links/")
# Those, and the pages of mailed links, whose token is in the query.
PREFIXES = (*_SEGMENT_PREFIXES, "/reset-password", "/confirm-email")


def redact_path(path: str) -> str:
    """`path` as it may be logged: /invitations/[redacted]/accept (the segment after a prefix,
    when there is one). Every request's access line asks, a feed's thousands of times a minute:
    string slicing, which tests/kernel/test_logging.py holds to the regular expression
    `^(prefix|...)[^/]+` -> `\\1[redacted]`, at a quarter of its cost."""
    if not path.startswith(_SEGMENT_PREFIXES):
        return path
    for prefix in _SEGMENT_PREFIXES:
        if path.startswith(prefix):
            start = len(prefix)
            end = path.find("/", start)
            if end == start or start == len(path):  # no segment to hide
                return path
            return prefix + "[redacted]" + (path[end:] if end > 0 else "")
    return path


def holds_secret(path: str) -> bool:
    return path.startswith(PREFIXES)
