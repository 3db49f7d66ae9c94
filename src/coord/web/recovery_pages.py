"""Links by email, as pages: forgot password, reset password, confirm an address (and ask
for a new confirmation link). Opening a link only shows a page with one button: mail
scanners open links, so a GET never changes anything.

The GET pages are in CONTROLLERS; the posts (FORMS) are mounted under the per-client
limit they share with the API's link routes (coord.auth.security.account_links_limit).
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from coord.auth import recovery, tokens
from coord.auth.tokens import LinkInvalid
from coord.i18n import N_
from coord.i18n import gettext as _
from coord.kernel.access import CurrentUser
from coord.kernel.errors import DomainError, TooManyRequests
from coord.kernel.params import DB, RedisDep
from coord.web.forms import domain_errors, form_fields
from coord.web.render import page
from coord.web.session import Viewer, cleared_session_cookie

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_HINT = N_("Enter an email address like name@example.org.")
# Pages that carry a token in their address: kept out of caches and of Referer headers.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _private(response: Template) -> Template:
    response.headers.update(PRIVATE)
    return response


def _email(fields: dict[str, Any]) -> str | None:
    value = fields.get("email")
    return value if isinstance(value, str) and len(value) <= 254 and EMAIL.match(value) else None


def _forgot_page(request: Request, viewer: CurrentUser | None, *, email: str = "", sent: bool = False,
                 errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
    return page(request, "forgot_password.html", viewer=viewer, title=_("Forgot your password?"),
                status_code=status_code, email=email, sent=sent, errors=errors or {})


def _reset_page(request: Request, viewer: CurrentUser | None, token: str, usable: bool, *,
                errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
    return _private(page(request, "reset_password.html", viewer=viewer, title=_("Choose a new password"),
                         status_code=status_code, token=token, usable=usable, errors=errors or {}))


def _confirm_page(request: Request, viewer: CurrentUser | None, *, token: str = "", purpose: str | None = None,
                  state: str = "ask", email: str = "", errors: dict[str, str] | None = None,
                  status_code: int = 200) -> Template:
    """`state`: ask (the resend form), link (a usable link: its button), done / changed (what
    next), sent (a new link may be on its way)."""
    titles = {"link": _("Confirm your email address"), "done": _("Your email address is confirmed"),
              "changed": _("Your new email address is confirmed"), "sent": _("Check your email")}
    return _private(page(request, "confirm_email.html", viewer=viewer, title=titles.get(state, _("Confirm your email")),
                         status_code=status_code, token=token, purpose=purpose, state=state,
                         email=email or (viewer.email if viewer else ""), errors=errors or {}))


class RecoveryPages(Controller):
    path = "/"

    @get("/forgot-password", name="forgot-password")
    async def forgot(self, request: Request, viewer: Viewer, sent: FromQuery[str | None] = None) -> Template:
        """Ask for a link to choose a new password."""
        return _forgot_page(request, viewer, sent=bool(sent))

    @get("/reset-password", name="reset-password")
    async def reset_form(self, request: Request, viewer: Viewer, db: DB, token: FromQuery[str] = "") -> Template:
        """The form a reset link opens (nothing is used until it is sent)."""
        usable = bool(token) and await tokens.peek(db, token) == "reset_password"
        return _reset_page(request, viewer, token, usable)

    @get("/confirm-email", name="confirm-email")
    async def confirm_form(self, request: Request, viewer: Viewer, db: DB, token: FromQuery[str] = "",
                           done: FromQuery[str | None] = None, sent: FromQuery[str | None] = None) -> Template:
        """The one button a confirmation link opens; what to do next once confirmed; or a form
        to ask for a new link."""
        if token:
            purpose = await tokens.peek(db, token)
            if purpose in ("confirm_email", "change_email"):
                return _confirm_page(request, viewer, token=token, purpose=purpose, state="link")
            errors = {"form": _("This link cannot be used: it has expired or has been used already (each link "
                                "works once). Ask for a new one below.")}
            return _confirm_page(request, viewer, errors=errors)
        if done in ("confirmed", "changed"):
            return _confirm_page(request, viewer, state="done" if done == "confirmed" else "changed")
        return _confirm_page(request, viewer, state="sent" if sent else "ask")


async def _mail_link(request: Request, viewer: Any, redis: Any, state: State, purpose: str, page_of: Any,
                     send: Any, sent_url: str) -> Response:
    """The forms that mail a link: the address checked, the request counted (the same
    whether or not it has an account), the link sent after the answer, never before."""
    fields = await form_fields(request)
    email = _email(fields)
    if email is None:
        return page_of(request, viewer, email=str(fields.get("email", "")), errors={"email": _(EMAIL_HINT)},
                       status_code=422)
    try:
        await recovery.count_request(redis, purpose, email)
    except TooManyRequests as exc:
        response = page_of(request, viewer, email=email, errors={"form": exc.detail}, status_code=429)
        response.headers.update(exc.headers or {})
        return response
    task = BackgroundTask(send, state.pool, state.settings, email)
    return Redirect(sent_url, status_code=303, background=task)


class RecoveryForms(Controller):
    path = "/"

    @post("/forgot-password", status_code=303)
    async def forgot(self, request: Request, viewer: Viewer, redis: RedisDep, state: State) -> Response:
        """Mail a reset link if the address has an account; the same answer either way."""
        return await _mail_link(request, viewer, redis, state, "reset_password", _forgot_page,
                                recovery.send_reset_link, "/forgot-password?sent=1")

    @post("/reset-password", status_code=303)
    async def reset(self, request: Request, viewer: Viewer, db: DB, redis: RedisDep) -> Response:
        """Set the new password; every session ends (this browser's too), then log in with it."""
        fields = await form_fields(request)
        token, password = str(fields.get("token", "")), str(fields.get("password", ""))
        if not password:
            return _reset_page(request, viewer, token, True, errors={"password": _("Enter a new password.")},
                               status_code=422)
        try:
            async with db.transaction():  # a savepoint: a refusal leaves the link unused
                await recovery.reset_password(db, redis, token, password)
        except LinkInvalid as exc:
            return _reset_page(request, viewer, token, False, errors={"form": exc.detail}, status_code=400)
        except DomainError as exc:
            return _reset_page(request, viewer, token, True, errors=domain_errors(exc), status_code=exc.status)
        return Redirect("/login?reset=1", status_code=303, cookies=[cleared_session_cookie(request)])

    @post("/confirm-email", status_code=303)
    async def confirm(self, request: Request, viewer: Viewer, db: DB) -> Response:
        """The button: confirm the address (or the move to a new one), then what to do next."""
        fields = await form_fields(request)
        try:
            async with db.transaction():
                confirmed = await recovery.confirm_email(db, str(fields.get("token", "")))
        except LinkInvalid as exc:
            return _confirm_page(request, viewer, errors={"form": exc.detail}, status_code=400)
        except DomainError as exc:
            return _confirm_page(request, viewer, errors={"form": exc.detail}, status_code=exc.status)
        return Redirect(f"/confirm-email?done={confirmed.what}", status_code=303)

    @post("/confirm-email/resend", status_code=303)
    async def resend(self, request: Request, viewer: Viewer, redis: RedisDep, state: State) -> Response:
        """A new confirmation link, if the address has an account still to confirm."""
        return await _mail_link(request, viewer, redis, state, "confirm_email", _confirm_page,
                                recovery.send_confirmation_link, "/confirm-email?sent=1")

CONTROLLERS: list[Any] = [RecoveryPages]
FORMS: list[Any] = [RecoveryForms]
