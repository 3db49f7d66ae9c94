"""Sign up, log in, log out: forms on the auth service, sessions in a cookie."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromQuery
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.response import Redirect, Template

from coord.auth import service as auth_service
from coord.auth.schemas import RegisterIn
from coord.kernel.access import CurrentUser
from coord.kernel.errors import DomainError
from coord.kernel.params import DB, RedisDep
from coord.web.forms import FormInvalid, domain_errors, form_fields, to_struct
from coord.web.recovery_pages import CONTROLLERS as RECOVERY_PAGES
from coord.web.render import page
from coord.web.session import Viewer, cleared_session_cookie, safe_next, session_cookie

DEFAULT_ZONE = "America/New_York"


@lru_cache(maxsize=1)
def timezone_choices() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")))


def _register_page(request: Request, viewer: CurrentUser | None, values: dict[str, Any], errors: dict[str, str],
                   status_code: int = 200) -> Template:
    return page(request, "register.html", viewer=viewer, title="Create an account", status_code=status_code,
                values=values, errors=errors, zones=timezone_choices(), default_zone=DEFAULT_ZONE,
                next=safe_next(values.get("next") or request.query_params.get("next")))


def _login_page(request: Request, viewer: CurrentUser | None, email: str, errors: dict[str, str], next_path: str,
                status_code: int = 200, notice: str | None = None) -> Template:
    return page(request, "login.html", viewer=viewer, title="Log in", status_code=status_code,
                email=email, errors=errors, next=safe_next(next_path), notice=notice)


class AccountPages(Controller):
    path = "/"

    @get("/register", name="register-page")
    async def register_form(self, request: Request, viewer: Viewer) -> Template:
        """The sign-up form."""
        return _register_page(request, viewer, {}, {})

    @get("/login", name="login-page")
    async def login_form(self, request: Request, viewer: Viewer, next: FromQuery[str | None] = None,
                         reset: FromQuery[str | None] = None) -> Template:
        """The log-in form; `next` is where to go afterwards (same site only)."""
        notice = "Your password is changed, and every device was signed out. Log in with the new one." if reset else None
        return _login_page(request, viewer, "", {}, next or "", notice=notice)

    @post("/logout", status_code=303)
    async def logout(self, request: Request) -> Response:
        """End this browser's session (the cookie is dropped); then `next` (same site) or the start page."""
        next_path = (await form_fields(request)).get("next")
        return Redirect(safe_next(next_path) if isinstance(next_path, str) else "/", status_code=303,
                        cookies=[cleared_session_cookie(request)])

    @get("/logout", name="logout-page")
    async def logout_form(self, request: Request, viewer: Viewer) -> Template:
        """Logging out is a form post (so another site cannot log you out); this page holds the button."""
        return page(request, "logout.html", viewer=viewer, title="Log out")


class AccountForms(Controller):
    """The posts that check passwords, rate-limited per client like the API's token route."""

    path = "/"

    @post("/register", status_code=303)
    async def register(self, request: Request, viewer: Viewer, db: DB, state: State) -> Response:
        """Create the account and sign in; the address gets its confirmation link."""
        fields = await form_fields(request)
        next_path = fields.pop("next", "")
        try:
            data = to_struct(fields, RegisterIn)
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                user = await auth_service.register(db, data, settings=state.settings)
        except FormInvalid as exc:
            return _register_page(request, viewer, {**fields, "next": next_path}, exc.errors, status_code=422)
        except DomainError as exc:
            return _register_page(request, viewer, {**fields, "next": next_path}, domain_errors(exc),
                                  status_code=exc.status)
        return Redirect(safe_next(next_path), status_code=303, cookies=[session_cookie(request, user.id, 0)])

    @post("/login", status_code=303)
    async def login(self, request: Request, viewer: Viewer, db: DB, redis: RedisDep) -> Response:
        """Check the password and sign in; the same answer whether the email is known or not."""
        fields = await form_fields(request)
        email, password = str(fields.get("email", "")), str(fields.get("password", ""))
        next_path = str(fields.get("next", ""))
        if not email or not password:
            errors = {k: "this field is required" for k in ("email", "password") if not fields.get(k)}
            return _login_page(request, viewer, email, errors, next_path, status_code=422)
        try:
            user_id, version = await auth_service.authenticate(db, redis, email, password)
        except DomainError as exc:
            response = _login_page(request, viewer, email, {"form": exc.detail}, next_path, status_code=exc.status)
            response.headers.update(exc.headers or {})
            return response
        return Redirect(safe_next(next_path), status_code=303, cookies=[session_cookie(request, user_id, version)])


async def _is_post(request: Request) -> bool:
    return request.method == "POST"


def password_forms_limit(per_minute: int) -> RateLimitConfig:
    """The same per-client budget as the API's token route (same store, same key)."""
    return RateLimitConfig(rate_limit=("minute", per_minute), check_throttle_handler=_is_post)


CONTROLLERS: list[Any] = [AccountPages, *RECOVERY_PAGES]
PASSWORD_FORMS: list[Any] = [AccountForms]
