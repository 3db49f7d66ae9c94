"""My account settings as a page: name, timezone and language; my email address (confirmed
or not, a new link, a move to a new address); my password. Mounted through
me_settings_pages.SETTINGS_CONTROLLERS."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from coord import i18n
from coord.auth import profile
from coord.auth import service as auth_service
from coord.auth.schemas import EmailChangeIn, PasswordChangeIn, ProfileIn
from coord.i18n import N_, gettext as _
from coord.kernel.access import CurrentUser
from coord.kernel.errors import DomainError
from coord.kernel.params import DB, RedisDep
from coord.web.zones import picker
from coord.web.forms import FormInvalid, domain_errors, form_fields, to_struct
from coord.web.render import page
from coord.web.session import Viewer, session_cookie, signed_in

# Every language of coord's configuration (the stored choice is any BCP 47 tag; a saved one not
# offered yet waits for its catalog); the first choice is none.
LANGUAGES = [("", N_("The language of my browser")), *i18n.LANGUAGES.items()]
SAVED = {
    "profile": N_("Saved."),
    "email": N_("We emailed a link to your new address. Your account moves to it when you open the link and "
                "press the button; until then it keeps its current address."),
    "password": N_("Your password is changed. Every other device signed in to your account is signed out."),
}
PASSWORD_FIELDS = ("password", "current_password", "new_password")


async def _passwords(request: Request) -> dict[str, str]:
    """Password fields exactly as typed (form_fields trims the others)."""
    form = await request.form()
    return {k: v for k in PASSWORD_FIELDS if isinstance(v := form.get(k), str) and v}


async def _account_page(request: Request, viewer: CurrentUser, db: DB, *, section: str = "",
                        values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                        saved: str | None = None, status_code: int = 200) -> Template:
    me = await auth_service.me(db, viewer.id)
    form = {"display_name": me.display_name, "timezone": me.timezone, "locale": me.locale or "", "email": ""}
    form.update({k: v for k, v in (values or {}).items() if k not in PASSWORD_FIELDS})
    languages = [(code, _(name) if not code else name) for code, name in LANGUAGES]
    if me.locale and me.locale not in {code for code, _ in languages}:
        languages.append((me.locale, me.locale))
    return page(request, "me_account.html", viewer=viewer, title=_("My account"), status_code=status_code,
                me=me, form=form, zones=picker(form["timezone"], chosen=True), languages=languages, section=section,
                errors=errors or {}, saved=_(SAVED[saved]) if saved in SAVED else None)


def _errors(exc: FormInvalid | DomainError, rename: dict[str, str] | None = None) -> dict[str, str]:
    errors = exc.errors if isinstance(exc, FormInvalid) else domain_errors(exc)
    return {(rename or {}).get(k, k): v for k, v in errors.items()}


class AccountSettingsPages(Controller):
    path = "/me/account"

    @get("", name="my-account")
    async def account(self, request: Request, viewer: Viewer, db: DB, saved: FromQuery[str | None] = None) -> Template:
        """My name, timezone, language, email address and password."""
        return await _account_page(request, signed_in(request, viewer), db, saved=saved)

    @post("", status_code=303)
    async def save_profile(self, request: Request, viewer: Viewer, db: DB) -> Response:
        """Save my name, timezone and language (an empty language: follow the browser)."""
        viewer = signed_in(request, viewer)
        fields = await form_fields(request)
        body = {k: fields[k] for k in ("display_name", "timezone") if k in fields}
        body["locale"] = fields.get("locale") or None
        missing = {"display_name": _("this field is required")} if "display_name" not in fields else {}
        try:
            if missing:
                raise FormInvalid(missing, _("a name is required"))
            data = to_struct(body, ProfileIn)
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                await profile.update_profile(db, viewer.id, data)
        except (FormInvalid, DomainError) as exc:
            status = exc.status if isinstance(exc, DomainError) else 422
            return await _account_page(request, viewer, db, section="profile", values=fields, errors=_errors(exc),
                                       status_code=status)
        return Redirect("/me/account?saved=profile", status_code=303)

    @post("/email", status_code=303)
    async def change_email(self, request: Request, viewer: Viewer, db: DB, redis: RedisDep, state: State) -> Response:
        """Move my account to a new address (with my password): the new address gets a link."""
        viewer = signed_in(request, viewer)
        fields = {**await form_fields(request), **await _passwords(request)}
        body = {k: fields[k] for k in ("email", "password") if k in fields}
        missing = {k: _("this field is required") for k in ("email", "password") if k not in body}
        try:
            if missing:
                raise FormInvalid(missing, _("required fields are missing"))
            data = to_struct(body, EmailChangeIn)
            async with db.transaction():
                await profile.request_email_change(db, redis, state.settings.secret_key, viewer.id, data)
        except (FormInvalid, DomainError) as exc:
            status = exc.status if isinstance(exc, DomainError) else 422
            errors = _errors(exc)
            if "email" in errors and isinstance(exc, FormInvalid) and errors["email"] != _("this field is required"):
                errors["email"] = _("Enter an email address like name@example.org.")
            response = await _account_page(request, viewer, db, section="email", values=fields, errors=errors,
                                           status_code=status)
            if isinstance(exc, DomainError):
                response.headers.update(exc.headers or {})
            return response
        return Redirect("/me/account?saved=email", status_code=303)

    @post("/password", status_code=303)
    async def change_password(self, request: Request, viewer: Viewer, db: DB, redis: RedisDep) -> Response:
        """A new password (with the current one): every other session ends; this browser stays in."""
        viewer = signed_in(request, viewer)
        fields = await _passwords(request)
        missing = {k: _("this field is required") for k in ("current_password", "new_password") if k not in fields}
        try:
            if missing:
                raise FormInvalid(missing, _("required fields are missing"))
            data = to_struct({k: fields[k] for k in ("current_password", "new_password")}, PasswordChangeIn)
            async with db.transaction():
                version = await profile.change_password(db, redis, viewer.id, data)
        except (FormInvalid, DomainError) as exc:
            status = exc.status if isinstance(exc, DomainError) else 422
            response = await _account_page(request, viewer, db, section="password", errors=_errors(exc),
                                           status_code=status)
            if isinstance(exc, DomainError):
                response.headers.update(exc.headers or {})
            return response
        return Redirect("/me/account?saved=password", status_code=303,
                        cookies=[session_cookie(request, viewer.id, version)])


CONTROLLERS: list[Any] = [AccountSettingsPages]
