"""HEAD answered as GET without the body, for every GET route (RFC 9110, 9.3.2).

Litestar routes HEAD only to handlers that list it, so uptime monitors, link checkers
and `curl -I` got 405 from the API and, on the pages, a redirect to the nearest page,
which for `/` and `/health` was `/` itself: a loop. The GET handler runs as usual
(GET routes are safe by design) and every header it sets, `Content-Length` and `ETag`
included, is kept; only the body is held back.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

EMPTY_BODY: Message = {"type": "http.response.body", "body": b"", "more_body": False}


async def head_as_get(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    async def without_body(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body"):
                return  # a streamed part: only the last one says the response is over
            message = EMPTY_BODY
        await send(message)

    await app({**scope, "method": "GET"}, receive, without_body)  # type: ignore[typeddict-item]


def with_head_allowed(headers: dict[str, str] | None) -> dict[str, str] | None:
    """A 405's `Allow` (Litestar lists the route's own methods) with HEAD wherever GET is."""
    allowed = (headers or {}).get("allow")
    if allowed is None or "GET" not in allowed.split(", ") or "HEAD" in allowed.split(", "):
        return headers
    return {**(headers or {}), "allow": f"{allowed}, HEAD"}
