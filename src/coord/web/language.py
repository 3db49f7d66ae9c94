"""The language of a page (issue 16.2): the menu's choice (a cookie, and the profile of a
signed-in person), else their saved language, else Accept-Language, else their
organization's default, else English. The middleware starts each request's `Choice` in
coord.i18n's context variable; the viewer dependency adds what the account says."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from litestar import Request, post
from litestar.response import Redirect
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from coord import i18n
from coord.auth import profile
from coord.auth.schemas import ProfileIn
from coord.kernel.params import DB
from coord.web.forms import form_fields
from coord.web.session import Viewer, safe_next

COOKIE = "coord_lang"
YEAR = 365 * 24 * 3600


def language_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        chosen = accept = None
        # `?lang=xx` on any page is the menu's choice too (a link can carry it), remembered.
        asked = next((v for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k == "lang"), None)
        asked = asked if asked in i18n.offered() else None
        for name, value in scope["headers"]:
            if name == b"accept-language":
                accept = value.decode("latin-1")[:500]
            elif name == b"cookie":
                for part in value.decode("latin-1").split(";"):
                    key, _, val = part.strip().partition("=")
                    if key == COOKIE and val:
                        chosen = val[:35]
        chosen = asked or chosen
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        remember = f"{COOKIE}={asked}; Max-Age={YEAR}; Path=/; HttpOnly; SameSite=Lax{secure}".encode()

        async def send_varying(message: Message) -> None:
            # A page differs by its reader's language (and session): no cache may mix them.
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"vary", b"Accept-Language, Cookie")]
                message["headers"] = headers + [(b"set-cookie", remember)] if asked else headers
            await send(message)

        token = i18n.ACTIVE.set(i18n.Choice(chosen=chosen, accept=accept))
        try:
            await app(scope, receive, send_varying)
        finally:
            i18n.ACTIVE.reset(token)

    return middleware


def learn(saved: str | None, org_default: str | None) -> None:
    """What the signed-in reader's account says, once the request knows who they are."""
    choice = i18n.ACTIVE.get()
    if choice is not None:
        choice.saved, choice.org_default = saved, org_default


@post("/language", name="language", status_code=303)
async def choose_language(request: Request, viewer: Viewer, db: DB) -> Redirect:
    """The language menu: remembered in a cookie, and in the profile when signed in; an
    empty choice follows the browser again."""
    fields = await form_fields(request)
    code = fields.get("locale") or ""
    if code not in i18n.offered():
        code = ""
    if viewer is not None:
        await profile.update_profile(db, viewer.id, ProfileIn(locale=code or None))
    response = Redirect(safe_next(fields.get("next")), status_code=303)
    if code:
        response.set_cookie(COOKIE, code, max_age=YEAR, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
    else:
        response.delete_cookie(COOKIE)
    return response


CONTROLLERS: list[Any] = [choose_language]
