"""Wires the pages into the app: templates, static files, CSRF, the session user,
and errors shown as pages rather than problem+json."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response, Router
from litestar.response import Redirect
from litestar.config.app import AppConfig
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException, PermissionDeniedException
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.compression import CompressionMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from coord import i18n
from coord.i18n import N_, gettext as _
from coord.kernel.config import Settings
from coord.kernel.db.deps import provide_db, provide_redis
from coord.kernel.errors import DomainError, status_title
from coord.kernel.head_requests import with_head_allowed
from coord.kernel.params import DB
from coord.kernel.problems import http_problem
from coord.views.viewer import reader
from coord.auth.security import account_links_limit
from coord.web.account_pages import PASSWORD_FORMS
from coord.web.recovery_pages import FORMS as LINK_FORMS
from coord.web.language import language_middleware, learn
from coord.web.render import build_environment, page
from coord.web.static_assets import STATIC, static_caching
from coord.web.robots import robots_txt
from coord.web.routes import PAGE_CONTROLLERS
from coord.web.session import LoginRequired, login_url, provide_viewer, redirect_to_login
from coord.web.words import role_names

log = logging.getLogger("coord.web")
CSRF_COOKIE = "coord_csrf"
CSRF_FIELD = "_csrf_token"


# Whole sentences per kind a link may name (a noun alone would not translate: its gender, its article).
MISSING_FOR_VISITORS = {
    "group": N_("We could not find this group. If it is for members only, log in: you will see it if it is yours "
                "to see."),
    "session": N_("We could not find this session. If it is for members only, log in: you will see it if it is "
                  "yours to see."),
    "event": N_("We could not find this event. If it is for members only, log in: you will see it if it is yours "
                "to see."),
    "referral": N_("We could not find this referral. If it is for members only, log in: you will see it if it is "
                   "yours to see."),
}
MISSING_FOR_MEMBERS = {
    "group": N_("There is no group here that you can see: it may have been removed, or be private. If someone sent "
                "you this link, ask them to add you or to send you an invitation, and check that you are logged in "
                "with the address they know (%(email)s)."),
    "session": N_("There is no session here that you can see: it may have been removed, or be private. If someone "
                  "sent you this link, ask them to add you or to send you an invitation, and check that you are "
                  "logged in with the address they know (%(email)s)."),
    "event": N_("There is no event here that you can see: it may have been removed, or be private. If someone sent "
                "you this link, ask them to add you or to send you an invitation, and check that you are logged in "
                "with the address they know (%(email)s)."),
    "referral": N_("There is no referral here that you can see: it may have been removed, or be private. If someone "
                   "sent you this link, ask them to add you or to send you an invitation, and check that you are "
                   "logged in with the address they know (%(email)s)."),
}


def not_yours(what: str, viewer: Any) -> str:
    """What to do about something that is not there for this reader: it may not exist, or be
    private (the two look the same, so neither is confirmed). Organizations' pages are public."""
    if what == "organization":
        return _("There is no organization at this address. Check the link, or find it from the start page.")
    kind = what.split(" ")[0]
    if viewer is None:
        return _(MISSING_FOR_VISITORS.get(kind) or N_(
            "We could not find this page. If it is for members only, log in: you will see it if it is yours to see."))
    return _(MISSING_FOR_MEMBERS.get(kind) or N_(
        "There is nothing here that you can see: it may have been removed, or be private. If someone sent you this "
        "link, ask them to add you or to send you an invitation, and check that you are logged in with the address "
        "they know (%(email)s).")) % {"email": viewer.email}


def error_title(status: int) -> str:
    """The page's title for an error: HTTP's words for its status, in the reader's language."""
    titles = {400: _("Bad Request"), 403: _("Forbidden"), 404: _("Not Found"), 405: _("Method Not Allowed"),
              409: _("Conflict"), 410: _("Gone"), 413: _("Request Entity Too Large"),
              422: _("Unprocessable Entity"), 429: _("Too Many Requests"), 500: _("Internal Server Error"),
              503: _("Service Unavailable")}
    return titles.get(status) or status_title(status)


# kernel.access's refusal (English, for the API), with its roles in the reader's language.
ROLES_NEEDED = re.compile(r"^this needs one of the roles: ([a-z_]+(?:, [a-z_]+)*)$")


def _no_such(message: str) -> str | None:
    """A service's "no such …", said in the reader's language, as its English msgid (which names the kind)."""
    if message.startswith("no such "):
        return message
    table = getattr(i18n.catalog(i18n.current()).translations, "_catalog", {})
    return next((k for k, v in table.items() if isinstance(k, str) and k.startswith("no such ") and v == message), None)


def _error_page(request: Request[Any, Any, Any], status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    viewer = request.scope.get("_coord_viewer")  # set by the viewer dependency when it ran
    if status == 403 and (needed := ROLES_NEEDED.match(message)):
        message = _("this needs one of the roles: %(roles)s") % {"roles": role_names(needed.group(1).split(", "))}
    if status == 404 and (english := _no_such(message)):
        message = not_yours(english.removeprefix("no such "), viewer)
    login = login_url(request.url.path) if status == 404 and viewer is None else None
    response = page(request, "error.html", viewer=viewer, title=error_title(status), status_code=status,
                    status=status, message=message, login=login)
    if headers:
        response.headers.update(headers)
    return response


def domain_error_page(request: Request[Any, Any, Any], exc: DomainError) -> Response:
    return _error_page(request, exc.status, exc.detail, exc.headers)


def http_error_page(request: Request[Any, Any, Any], exc: HTTPException) -> Response:
    status = exc.status_code
    if isinstance(exc, PermissionDeniedException) and "CSRF" in (exc.detail or ""):
        message = _("This form has expired or came from another site. Go back, reload the page and try again.")
    elif isinstance(exc, NotFoundException):
        message = _("There is nothing here. It may have been removed, or you may not have access to it.")
    elif status == 400:
        message = _("Something in the form could not be read. Go back and check what you entered.")
    elif status == 429:
        message = _("Too many attempts from this connection. Wait a minute and try again.")
    else:
        message = exc.detail or status_title(status)
    headers = dict(exc.headers or {})
    if status == 429 and "Retry-After" not in headers:
        headers["Retry-After"] = headers.get("RateLimit-Reset", "60")
    return _error_page(request, status, message, headers)


def not_found(request: Request[Any, Any, Any], exc: NotFoundException) -> Response:
    """Unknown addresses: a page for browsers, problem+json for the API and other clients."""
    wants_html = "text/html" in request.headers.get("accept", "")
    if wants_html and not request.url.path.startswith(("/api/", "/feeds/", "/schema")):
        return http_error_page(request, exc)
    return http_problem(exc).to_response(request)  # type: ignore[return-value]


# The coordination page's forms post to addresses of their own; reloaded, they open its section.
COORDINATION_FORMS = re.compile(r"^/orgs/([^/]+)/(members|events|shifts|venues|invitations|deliveries)(?:/|$)")


def page_of_form(request: Request[Any, Any, Any], path: str) -> str:
    """The page a form's address belongs to: the coordination page's section for its forms,
    else the nearest address above it that is a page (/groups/1/join -> /groups/1)."""
    found = COORDINATION_FORMS.match(path)
    if found:  # each form's section has its name as its id
        return f"/orgs/{found.group(1)}/coordination#{found.group(2)}"
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/".join(parts) or "/"
        try:
            request.app.asgi_router.handle_routing(path=candidate, method="GET")
        except (NotFoundException, MethodNotAllowedException):
            continue
        return candidate
    return "/"


def method_not_allowed(request: Request[Any, Any, Any], exc: MethodNotAllowedException) -> Response:
    """A page's form address opened with GET (a reload after a refused form, a bookmark, a
    shared link): the page the form belongs to, never a problem+json body. The API and other
    clients get the problem."""
    path = request.url.path
    if request.method == "GET" and not path.startswith(("/api/", "/feeds/", "/schema", "/static/")):
        return Redirect(page_of_form(request, path), status_code=303)
    exc.headers = with_head_allowed(exc.headers)
    return http_problem(exc).to_response(request)  # type: ignore[return-value]


async def _viewer(request: Request[Any, Any, Any], db: DB) -> Any:
    viewer = await provide_viewer(request, db)
    request.scope["_coord_viewer"] = viewer  # type: ignore[typeddict-unknown-key]
    if viewer is not None:
        about = await reader(db, viewer.id)
        request.scope["_coord_crisis_line"] = about.crisis_line  # type: ignore[typeddict-unknown-key]
        request.scope["_coord_crisis_lines"] = about.crisis_lines  # type: ignore[typeddict-unknown-key]
        request.scope["_coord_staff_orgs"] = about.staff_orgs  # type: ignore[typeddict-unknown-key]
        learn(about.locale, about.org_locale)
    return viewer


STATIC_COMPRESSION = CompressionConfig(backend="gzip", minimum_size=1024, gzip_compress_level=6)


def configure_pages(app_config: AppConfig, settings: Settings) -> None:
    secure = settings.base_url.startswith("https://")
    csrf = CSRFConfig(
        secret=settings.secret_key,
        cookie_name=CSRF_COOKIE,
        cookie_secure=secure,
        cookie_httponly=True,  # forms carry the token in a hidden field; scripts never read it
        cookie_samesite="lax",
        header_name="x-csrftoken",
    )
    pages = Router(
        path="/",
        route_handlers=[
            *PAGE_CONTROLLERS,
            *PASSWORD_FORMS,  # their budgets are counted in the handlers (coord.auth.attempts)
            Router(path="/", route_handlers=LINK_FORMS,
                   middleware=[account_links_limit(settings.login_attempts_per_minute).middleware]),
        ],
        # The language first: a refused CSRF check is a page in the reader's language too.
        middleware=[language_middleware, DefineMiddleware(CSRFMiddleware, config=csrf)],
        dependencies={
            "db": Provide(provide_db),
            "redis": Provide(provide_redis),
            "viewer": Provide(_viewer),
        },
        exception_handlers={
            LoginRequired: redirect_to_login,
            DomainError: domain_error_page,
            HTTPException: http_error_page,
        },
        include_in_schema=False,
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC],
        name="static",
        cache_control=CacheControlHeader(max_age=3600, public=True),
        include_in_schema=False,
        # gzip for a phone on a slow line (htmx: 51 kB, 17 kB gzipped). Static files only: pages
        # carry the CSRF token beside what people type, which compressed is BREACH's opening.
        # Versioned addresses kept for a year, validators per encoding, 304s (web/static_assets.py).
        middleware=[static_caching, DefineMiddleware(CompressionMiddleware, config=STATIC_COMPRESSION)],
    )
    app_config.route_handlers.extend([pages, static, robots_txt])
    app_config.exception_handlers[NotFoundException] = not_found
    app_config.exception_handlers[MethodNotAllowedException] = method_not_allowed
    app_config.template_config = TemplateConfig(engine=JinjaTemplateEngine.from_environment(build_environment()))
