"""The API's language: its problems say what to fix in the language the client asks for
(`Accept-Language`), else English. Set per request in coord.i18n's context variable, as the
pages' middleware does (coord.web.language), never on anything shared."""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from coord import i18n


def api_language_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        accept = next((v.decode("latin-1")[:500] for k, v in scope["headers"] if k == b"accept-language"), None)
        token = i18n.ACTIVE.set(i18n.Choice(accept=accept))
        try:
            await app(scope, receive, send)
        finally:
            i18n.ACTIVE.reset(token)

    return middleware
