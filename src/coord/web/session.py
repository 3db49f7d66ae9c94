"""Cookie sessions for the pages.

The cookie holds a signed token like the API's bearer token, with the account's
token version, so "log out everywhere" and erasure end page sessions too; a fresh
token is issued at every login, so a planted cookie cannot fix a session. The
cookie is HttpOnly and SameSite=Lax (Secure when coord is served over https), and
the API refuses it as a bearer token.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote
from uuid import UUID

import asyncpg
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException

from coord.kernel.access import CurrentUser
from coord.auth.security import PAGE_TOKEN_USE, CachedToken, current_account
from coord.kernel.config import Settings

SESSION_COOKIE = "coord_session"
SESSION_LENGTH = timedelta(days=14)


class LoginRequired(Exception):
    """Raised by a page that needs a signed-in person; answered with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def safe_next(value: str | None) -> str:
    """Only same-site paths: never redirect to another host after logging in. Browsers drop tabs
    and newlines from a URL, so "/<tab>/evil.example" would be "//evil.example" if it ever left
    unencoded: control characters are refused too (a space is fine: "/resources?q=food bank")."""
    if (value and value.startswith("/") and not value.startswith("//") and "\\" not in value
            and not any(ord(char) < 0x20 or ord(char) == 0x7F for char in value)):
        return value
    return "/me"


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")


def session_cookie(request: Request, user_id: UUID, token_version: int) -> Cookie:
    settings: Settings = request.app.state.settings
    encoded = request.app.state.jwt_auth.create_token(
        identifier=str(user_id),
        token_expiration=SESSION_LENGTH,
        token_extras={"tv": token_version, "use": PAGE_TOKEN_USE},
    )
    return Cookie(
        key=SESSION_COOKIE,
        value=encoded,
        max_age=int(SESSION_LENGTH.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
    )


def cleared_session_cookie(request: Request) -> Cookie:
    settings: Settings = request.app.state.settings
    return Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/", httponly=True, samesite="lax",
                  secure=settings.base_url.startswith("https://"))


async def provide_viewer(request: Request, db: asyncpg.Connection) -> CurrentUser | None:
    """The signed-in person, or None: a missing, expired, forged or revoked cookie is no session.
    Read from the database on every page (one indexed row on the page's own connection), not
    from the API's short-lived cache, which another `coord serve` process's change reaches
    only when it expires: confirming an address, renaming, or logging out everywhere shows on
    the very next page, whichever process serves it."""
    encoded = request.cookies.get(SESSION_COOKIE)
    if not encoded:
        return None
    auth = request.app.state.jwt_auth
    try:
        token = CachedToken.decode(encoded, auth.token_secret, auth.algorithm)
    except NotAuthorizedException:
        return None
    if token.extras.get("use") != PAGE_TOKEN_USE:
        return None
    return await current_account(db, token)


def signed_in(request: Request[Any, Any, Any], viewer: CurrentUser | None) -> CurrentUser:
    if viewer is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path if request.method == "GET" else request.url.path)
    return viewer


def redirect_to_login(request: Request, exc: LoginRequired) -> Response:
    return Response(content=b"", status_code=303, media_type="text/html", headers={"Location": login_url(exc.next_path)})


# The parameter marker of page handlers: the signed-in person or None.
Viewer = NamedDependency[CurrentUser | None]
