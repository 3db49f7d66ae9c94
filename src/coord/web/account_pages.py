"""Sign up, log in, log out: forms on the auth service, sessions in a cookie."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from coord import i18n
from coord.auth import attempts, profile
from coord.auth import service as auth_service
from coord.auth.schemas import ProfileIn, RegisterIn
from coord.i18n import gettext as _
from coord.kernel.access import CurrentUser
from coord.kernel.errors import DomainError
from coord.kernel.params import DB, RedisDep
from coord.views import org_directory
from coord.web.forms import FormInvalid, domain_errors, form_fields, to_struct
from coord.web.recovery_pages import CONTROLLERS as RECOVERY_PAGES
from coord.web.render import page
from coord.web.session import Viewer, cleared_session_cookie, safe_next, session_cookie
from coord.web.zones import DEFAULT_ZONE, picker, timezone_choices

__all__ = ["CONTROLLERS", "PASSWORD_FORMS", "DEFAULT_ZONE", "timezone_choices"]


async def _register_page(request: Request, viewer: CurrentUser | None, db: DB, values: dict[str, Any],
                         errors: dict[str, str], status_code: int = 200,
                         headers: dict[str, str] | None = None) -> Template:
    """The sign-up form; shown again, it keeps what was typed (never the password). Without
    JavaScript the timezone is this installation's first organization's (coord.js puts the
    browser's in its place)."""
    home = await org_directory.home_timezone(db)
    kept = {k: v for k, v in values.items() if k != "password"}
    response = page(request, "register.html", viewer=viewer, title=_("Create an account"), status_code=status_code,
                    values=kept, errors=errors, zones=picker(kept.get("timezone"), home, chosen=bool(values)),
                    next=safe_next(kept.get("next") or request.query_params.get("next")))
    response.headers.update(headers or {})
    return response


def _login_page(request: Request, viewer: CurrentUser | None, email: str, errors: dict[str, str], next_path: str,
                status_code: int = 200, notice: str | None = None, headers: dict[str, str] | None = None) -> Template:
    response = page(request, "login.html", viewer=viewer, title=_("Log in"), status_code=status_code,
                    email=email, errors=errors, next=safe_next(next_path), notice=notice)
    response.headers.update(headers or {})
    return response


class AccountPages(Controller):
    path = "/"

    @get("/register", name="register-page")
    async def register_form(self, request: Request, viewer: Viewer, db: DB) -> Template:
        """The sign-up form."""
        return await _register_page(request, viewer, db, {}, {})

    @get("/login", name="login-page")
    async def login_form(self, request: Request, viewer: Viewer, next: FromQuery[str | None] = None,
                         reset: FromQuery[str | None] = None) -> Template:
        """The log-in form; `next` is where to go afterwards (same site only)."""
        notice = _("Your password is changed, and every device was signed out. Log in with the new one.") if reset else None
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
        return page(request, "logout.html", viewer=viewer, title=_("Log out"))


class AccountForms(Controller):
    """The posts that check passwords or create accounts, under the same budgets as the API's
    (coord.auth.attempts); a refused form is shown again with what was typed."""

    path = "/"

    @post("/register", status_code=303)
    async def register(self, request: Request, viewer: Viewer, db: DB, redis: RedisDep, state: State) -> Response:
        """Create the account and sign in; the address gets its confirmation link."""
        fields = await form_fields(request)
        next_path = fields.pop("next", "")
        kept = {**fields, "next": next_path}
        try:
            await attempts.take(redis, "sign-up", attempts.client_address(request), str(fields.get("email", "")),
                                state.settings.login_attempts_per_minute)
            data = to_struct(fields, RegisterIn)
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                user = await auth_service.register(db, data, settings=state.settings)
                if (language := i18n.current()) != i18n.DEFAULT:  # signed up in Spanish: mail in Spanish
                    await profile.update_profile(db, user.id, ProfileIn(locale=language))
        except FormInvalid as exc:
            return await _register_page(request, viewer, db, kept, exc.errors, status_code=422)
        except DomainError as exc:
            return await _register_page(request, viewer, db, kept, domain_errors(exc), status_code=exc.status,
                                        headers=exc.headers)
        return Redirect(safe_next(next_path), status_code=303, cookies=[session_cookie(request, user.id, 0)])

    @post("/login", status_code=303)
    async def login(self, request: Request, viewer: Viewer, db: DB, redis: RedisDep, state: State) -> Response:
        """Check the password and sign in; the same answer whether the email is known or not."""
        fields = await form_fields(request)
        email, password = str(fields.get("email", "")), str(fields.get("password", ""))
        next_path = str(fields.get("next", ""))
        if not email or not password:
            errors = {k: _("this field is required") for k in ("email", "password") if not fields.get(k)}
            return _login_page(request, viewer, email, errors, next_path, status_code=422)
        try:
            await attempts.take(redis, "sign-in", attempts.client_address(request), email,
                                state.settings.login_attempts_per_minute)
            user_id, version = await auth_service.authenticate(db, redis, email, password)
        except DomainError as exc:
            return _login_page(request, viewer, email, {"form": exc.detail}, next_path, status_code=exc.status,
                               headers=exc.headers)
        return Redirect(safe_next(next_path), status_code=303, cookies=[session_cookie(request, user_id, version)])


CONTROLLERS: list[Any] = [AccountPages, *RECOVERY_PAGES]
PASSWORD_FORMS: list[Any] = [AccountForms]
