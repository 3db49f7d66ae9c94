"""Rendering pages: the Jinja environment, time formatting and the common context."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request
from litestar.response import Template

from coord import i18n
from coord.auth.service import PASSWORD_RULE
from coord.i18n import codes
from coord.orgs import crisis
from coord.i18n.dates import local_date, local_datetime, short_day_time, short_time
from coord.kernel.access import CurrentUser
from coord.web.static_assets import static
from coord.web.bidi import isolating
from coord.web.forms import field_label
from coord.web.words import import_reason, message_kind, role_name, role_names, state_name, visibility_name

TEMPLATES = Path(__file__).parent / "templates"
# The line every page shows when no organization's own wording applies (same as the
# organizations' default in migrations/0002).
# What the banner says with coord's default lines in their stored order (a reader no line serves),
# and each line as the banner says it: data in the line's own language, never translated.
CRISIS_PHRASES = [f"{line.name}: {line.contact}" for line in crisis.DEFAULT_LINES]
DEFAULT_CRISIS_LINE = " ".join(CRISIS_PHRASES)


def _zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


def when(moment: datetime | None, tz: str | None, with_year: bool = False) -> str:
    """"Tue 24 Nov, 18:30" in the reader's timezone."""
    if moment is None:
        return ""
    if i18n.current() != i18n.DEFAULT:
        return short_day_time(moment, tz, with_year)
    local = moment.astimezone(_zone(tz))
    day = f"{local:%a} {local.day} {local:%b}" + (f" {local.year}" if with_year else "")
    return f"{day}, {local:%H:%M}"


def time_range(start: datetime, end: datetime, tz: str | None) -> str:
    """"Tue 24 Nov, 18:30–20:00"; both days when it runs past midnight."""
    a, b = start.astimezone(_zone(tz)), end.astimezone(_zone(tz))
    if a.date() == b.date():
        return f"{when(start, tz)}–{short_time(end, tz)}"
    return f"{when(start, tz)} – {when(end, tz)}"


def iso_local(moment: datetime | None, tz: str | None) -> str:
    """The value of an <input type=datetime-local> for this moment in this timezone."""
    if moment is None:
        return ""
    return moment.astimezone(_zone(tz)).strftime("%Y-%m-%dT%H:%M")


def event_kind(kind: str) -> str:
    """An event's kind as a word of the reader's language."""
    _ = i18n.gettext
    names = {"workshop": _("Workshop"), "training": _("Training"), "awareness": _("Awareness"),
             "social": _("Social"), "community": _("Community")}
    return names.get(kind, kind.capitalize())


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a missing variable is a bug, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    # Once, for every request: these read the language of the request that renders (a
    # context variable), so concurrent requests in different languages share the environment.
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(gettext=isolating(env.globals["gettext"]), ngettext=isolating(env.globals["ngettext"]))
    env.filters.update(when=when, time_range=time_range, iso_local=iso_local, field_label=field_label,
                       datetime=local_datetime, date=local_date)
    # Languages a group or event is held in, named in the reader's language ("árabe, inglés").
    env.filters["language_names"] = lambda held_in: ", ".join(codes.language_name(c) for c in held_in or ())
    env.globals["language_choices"] = codes.choices
    env.globals["static"] = static  # a static file's versioned address
    env.globals.update(password_rule=PASSWORD_RULE, language=i18n.current, text_direction=i18n.direction,
                       event_kind=event_kind, role_name=role_name, role_names=role_names,
                       visibility_name=visibility_name, state_name=state_name, message_kind=message_kind,
                       import_reason=import_reason,
                       offered_languages=lambda: [(code, i18n.LANGUAGES[code]) for code in i18n.offered()])
    return env


def flag_notice(request: Request[Any, Any, Any], notices: dict[str, str]) -> str | None:
    """The outcome of the form just sent (post/redirect/get), named by a flag in the
    redirect's query: the notice of the first flag given, in the table's order."""
    query = request.query_params
    return next((text for flag, text in notices.items() if query.get(flag)), None)


def crisis_context(request: Request[Any, Any, Any], note: str | None, context: dict[str, Any]) -> dict[str, Any]:
    org = context.get("org") or getattr(context.get("view"), "org", None)
    stored = getattr(org, "crisis_lines", None) if org is not None else request.scope.get("_coord_crisis_lines")
    note = crisis.own_words(note or request.scope.get("_coord_crisis_line"))
    language = i18n.current()
    lines = crisis.for_reader(crisis.lines_of(stored, note), language)
    # crisis_line: all of it as one sentence (a page that says it in its text, as messages do).
    return {"crisis_lines": lines, "crisis_language": language, "crisis_note": note,
            "crisis_interpreters": bool(lines) and not any(language in line.languages for line in lines),
            "crisis_line": crisis.said(stored, note, language)}


def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    viewer: CurrentUser | None,
    title: str,
    crisis_line: str | None = None,
    timezone: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """A full page (or, for an HTMX request that asks for one fragment, the same page:
    HTMX picks what it needs with hx-select, so there is one template per page)."""
    return Template(
        template_name=template,
        status_code=status_code,
        context={
            "viewer": viewer,
            "title": title,
            # The page's organization's lines, else the reader's own organization's, else coord's
            # defaults; the reader's language's first (issue 16.8), then the organization's own words.
            **crisis_context(request, crisis_line, context),
            # Times are shown in the reader's own timezone; visitors see the organization's.
            "tz": viewer.timezone if viewer else (timezone or "UTC"),
            "path": request.url.path,
            # The menu's Coordination: the organizations the reader coordinates (views.viewer).
            "staff_orgs": request.scope.get("_coord_staff_orgs") or [],
            **context,
        },
        media_type="text/html",
    )
