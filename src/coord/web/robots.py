"""/robots.txt: search engines are asked to leave the API and every address that carries a
secret alone (the answers at those addresses also say `X-Robots-Tag: noindex`). The start page,
public groups and the resource directory stay open to them: that is how people find help."""

from __future__ import annotations

from litestar import MediaType, get
from litestar.datastructures import CacheControlHeader

from coord.kernel.secret_paths import PREFIXES

ROBOTS_TXT = "".join([
    "# coord: the API, calendar feeds, invitations, join links and links sent by email are not for search engines.\n",
    "User-agent: *\n",
    "Disallow: /api/\n",
    *(f"Disallow: {prefix}\n" for prefix in PREFIXES if not prefix.startswith("/api/")),
])


@get("/robots.txt", media_type=MediaType.TEXT, include_in_schema=False, exclude_from_auth=True,
     cache_control=CacheControlHeader(max_age=86400, public=True), sync_to_thread=False)
def robots_txt() -> str:
    return ROBOTS_TXT
