"""Setting an organization up from the pages: "Create your organization" (for anyone signed in,
offered on My schedule to people without one), the first steps after it, the organization's
settings (everything PATCH /orgs/{id} changes, in plain words), and /coordination, where the
menu's Coordination leads someone who coordinates several organizations."""

from __future__ import annotations

import unicodedata
from typing import Any, NamedTuple
from urllib.parse import quote

from babel.dates import get_day_names
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coord import i18n
from coord.i18n import N_, codes
from coord.i18n import gettext as _
from coord.kernel.access import CurrentUser
from coord.kernel.errors import Conflict, Forbidden
from coord.kernel.params import DB
from coord.orgs import service as orgs_service
from coord.orgs.crisis import CrisisLine
from coord.orgs.schemas import OrgIn, OrgOut, OrgSettingsIn
from coord.views import org_directory, org_overview
from coord.web.forms import FormInvalid, Refusal, submit, to_struct
from coord.web.render import flag_notice, page
from coord.web.session import Viewer, signed_in
from coord.web.zones import picker

Slug = FromPath[str]
MAX_SLUG = 64
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def suggest_slug(name: str) -> str:
    """The web address an organization's name suggests (as coord.js does while typing):
    "Café Río Center" -> "cafe-rio-center"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in plain).split()
    return "-".join(words)[:MAX_SLUG].strip("-")


class Setting(NamedTuple):
    """One field of the settings form: `kind` is text, email, number, textarea, timezone, weekday or hour."""

    name: str
    label: str
    hint: str
    kind: str
    extra: str = ""


CHECKIN_LABEL = N_("Referral check-ins: how many days after")
SETTINGS = (
    Setting("name", N_("Name"), N_("How coord names your organization on its pages and in its emails."), "text",
            'maxlength="200"'),
    Setting("contact_email", N_("Contact email"), N_("Shown on your public page, so people can reach you."), "email"),
    Setting("timezone", N_("Timezone"), N_("Events and shifts are entered in this timezone, visitors who are not signed "
            "in see times in it, and the weekly roster goes out by it. Each member sees times in their own."),
            "timezone"),
    Setting("default_locale", N_("Language"), N_("The language of pages and emails for your members whose browser and "
            "profile ask for none coord speaks. Each person can choose their own."), "language"),
    Setting("crisis_resources", N_("Crisis line"), N_("Shown at the top of every page your members see, and in the gentle "
            "check-in after a missed session."), "textarea"),
    Setting("crisis_lines", N_("Crisis lines and their languages"), N_("One line each: the languages it serves, its "
            "name and how to reach it, separated by |, for example “es | Línea de ayuda | llama al 988 y marca 2”. "
            "Each reader sees the lines in their language first. Empty: coord's lines (988 and Crisis Text Line, in "
            "English and Spanish)."), "lines"),
    Setting("reminder_lead_minutes", N_("Reminders: how many minutes before"), N_("How long before a session, shift or "
            "event people get a reminder. 60 is one hour, 1440 one day; 0 sends no reminders."), "number",
            'min="0" max="20160"'),
    Setting("followup_delay_minutes", N_("Follow-ups: how many minutes after a session"), N_("How long after a session "
            "ends the thank-you, or the gentle check-in for someone marked absent, goes out. 0 sends it as soon as "
            "the session ends."), "number", 'min="0" max="10080"'),
    Setting("cancellation_cutoff_hours", N_("Late cancellations: how many hours before a shift"), N_("A volunteer who "
            "gives up a shift place less than this many hours before it starts is marked as a late cancellation."),
            "number", 'min="0" max="720"'),
    Setting("retention_months", N_("Keep attendance for how many months"), N_("Attendance records, and the follow-up "
            "messages that came from them, are deleted once they are older than this."), "number",
            'min="1" max="120"'),
    Setting("roster_weekday", N_("Weekly roster: day"), N_("Facilitators and volunteers get the coming week's roster "
            "by email on this day."), "weekday"),
    Setting("roster_hour", N_("Weekly roster: hour"), N_("At this hour, in the organization's timezone."), "hour"),
    Setting("digest_hour", N_("Daily digest: hour"), N_("Coordinators and admins get one email a day of what needs "
            "them (requests to join, sessions short of facilitators, messages that could not be delivered) at this "
            "hour in the organization's timezone, or when their quiet hours end. Each can turn it off for "
            "themselves."), "hour"),
    Setting("volunteer_hour_value", N_("Value of a volunteer hour (dollars)"), N_("What an hour of volunteer time "
            "is worth in your reports. The default, 34.79, is Independent Sector's national figure for 2024 "
            "(published April 2025); use your state's figure or your own."), "text",
            'inputmode="decimal" pattern="[0-9]+(\\.[0-9]{1,2})?" maxlength="8"'),
    Setting("volunteer_hour_value_year", N_("Year of that value"), N_("Shown beside the value in reports."), "number",
            'min="1990" max="2100"'),
    Setting("referral_checkin_days", CHECKIN_LABEL, N_("How many days after someone "
            "is referred they get a gentle “Did you get connected?”. From 1 to 90."), "number", 'min="1" max="90"'),
)
CHECKIN_DAYS = N_("Enter a number of days from 1 to 90, like 7.")


def _check_checkin_days(changed: dict[str, Any]) -> None:
    """Said in the form's own words (the API's refusal names the field and its bounds)."""
    value = str(changed.get("referral_checkin_days", "7")).strip()
    if not value.isdigit() or not 1 <= int(value) <= 90:
        words = _(CHECKIN_DAYS)
        raise FormInvalid({"referral_checkin_days": words}, f"{_(CHECKIN_LABEL)}: {words}")


def settings_shown() -> tuple[Setting, ...]:
    """The settings the API can change (a field the organization does not have is left out)."""
    return tuple(s for s in SETTINGS if s.name in OrgSettingsIn.__struct_fields__)


def weekdays() -> list[tuple[int, str]]:
    """(1, "Monday") to (7, "Sunday"): CLDR's names in the reader's language, English's own words in English."""
    if i18n.current() == i18n.DEFAULT:
        return list(enumerate(WEEKDAYS, 1))
    names = get_day_names("wide", locale=i18n.current())  # 0 is Monday
    return [(n + 1, names[n]) for n in range(7)]


def _current(org: OrgOut) -> dict[str, str]:
    current = {s.name: str(getattr(org, s.name)) for s in settings_shown() if hasattr(org, s.name)}
    current["default_locale"] = org.default_locale or i18n.DEFAULT
    current["crisis_lines"] = crisis_text(org.crisis_lines)
    return current


def crisis_text(lines: list[CrisisLine]) -> str:
    """The crisis lines as the settings form writes them: "es, en | name | how to reach it" a line."""
    return "\n".join(f"{', '.join(line.languages)} | {line.name} | {line.contact}" for line in lines)


def read_crisis_lines(text: str) -> list[dict[str, Any]]:
    """The form's crisis lines (see crisis_text); a line not in three parts is refused, saying how."""
    lines = []
    for row in (r.strip() for r in text.splitlines()):
        parts = [p.strip() for p in row.split("|")]
        if not row:
            continue
        if len(parts) != 3 or not all(parts):
            raise FormInvalid({"crisis_lines": _("Write each crisis line as its languages, its name and how to reach "
                                                 "it, separated by |, like “es | Línea de ayuda | llama al 988 y "
                                                 "marca 2”.")}, "crisis lines")
        lines.append({"languages": codes.split(parts[0]), "name": parts[1], "contact": parts[2]})
    return lines


def _translated(text: str | None) -> str | None:
    return _(text) if text else None


def _url(slug: str, tail: str) -> str:
    return f"/orgs/{quote(slug)}/{tail}"


def _create_page(request: Request, viewer: CurrentUser, values: dict[str, Any], errors: dict[str, str], *,
                 home: str | None, status_code: int = 200) -> Template:
    typed = values.get("timezone")
    own = viewer.timezone if viewer.timezone != "UTC" else None  # the zone they signed up with, if they chose one
    zones = picker(typed or own, home, chosen=bool(typed))
    return page(request, "org_new.html", viewer=viewer, title=_("Create your organization"), status_code=status_code,
                values={"contact_email": viewer.email, **values}, errors=errors, zones=zones)


SETTINGS_NOTICES = {
    "saved": N_("The settings are saved."),
    "unchanged": N_("Nothing was changed: the form held the settings as they were."),
}


async def _settings_page(request: Request, viewer: CurrentUser, db: DB, slug: str, *,
                         values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                         status_code: int = 200) -> Template:
    view = await org_overview.org_settings(db, viewer.id, slug)
    shown = {**_current(view.org), **(values or {})}
    return page(request, "org_settings.html", viewer=viewer, title=_("Settings: %(org)s") % {"org": view.org.name},
                crisis_line=view.org.crisis_resources, status_code=status_code, view=view, org=view.org,
                settings=[s._replace(label=_(s.label), hint=_(s.hint)) for s in settings_shown()], values=shown, errors=errors or {}, weekdays=weekdays(),
                all_languages=list(i18n.LANGUAGES.items()),
                zones=picker(shown.get("timezone"), view.org.timezone, chosen=True),
                notice=None if errors else _translated(flag_notice(request, SETTINGS_NOTICES)))


class OrgSetupPages(Controller):
    path = "/"

    @get("/orgs/new", name="org-new")
    async def new_org(self, request: Request, viewer: Viewer, db: DB) -> Template:
        """The form that creates an organization; its creator becomes its admin."""
        viewer = signed_in(request, viewer)
        return _create_page(request, viewer, {}, {}, home=await org_directory.home_timezone(db))

    @post("/orgs/new", status_code=303)
    async def create_org(self, request: Request, viewer: Viewer, db: DB) -> Response:
        """Create the organization (an empty web address is made from the name, with a number
        added when another organization has it), then its first steps."""
        async def action(me: CurrentUser, fields: dict[str, Any]) -> OrgOut:
            given = fields.get("slug")
            base = given or suggest_slug(str(fields.get("name", ""))) or "organization"
            candidates = [base] if given else [base, *(f"{base[:MAX_SLUG - 3]}-{n}" for n in range(2, 30))]
            for slug in candidates:
                data = to_struct({**fields, "slug": slug}, OrgIn)
                try:
                    async with db.transaction():
                        return await orgs_service.create_org(db, me.id, data)
                except Conflict:
                    if given:
                        raise FormInvalid({"slug": _("Another organization has this address. Try %(slug)s-2, or another "
                                                     "word.") % {"slug": slug}}, "the web address is taken") from None
            raise FormInvalid({"slug": _("Choose a web address: the ones this name suggests are taken.")},
                              "no free web address")

        async def again(me: CurrentUser, fields: dict[str, Any], refusal: Refusal) -> Template:
            return _create_page(request, me, fields, refusal.errors, home=await org_directory.home_timezone(db),
                                status_code=refusal.status)

        return await submit(request, viewer, db, action, again=again,
                            done=lambda org: _url(org.slug, "first-steps"))

    @get("/orgs/{slug:str}/first-steps", name="org-first-steps")
    async def first_steps(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Template:
        """What to do after creating an organization: venues, groups, people (admins, coordinators)."""
        viewer = signed_in(request, viewer)
        view = await org_overview.coordination(db, viewer.id, slug)
        return page(request, "org_first_steps.html", viewer=viewer, title=_("First steps: %(org)s") % {"org": view.org.name},
                    crisis_line=view.org.crisis_resources, view=view, org=view.org)

    @get("/orgs/{slug:str}/settings", name="org-settings")
    async def org_settings(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Template:
        """The organization's settings (admins change them; coordinators see them)."""
        return await _settings_page(request, signed_in(request, viewer), db, slug)

    @post("/orgs/{slug:str}/settings", status_code=303)
    async def save_settings(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Response:
        """Save the settings that changed (admins); a refusal shows the form again as typed."""
        async def action(me: CurrentUser, fields: dict[str, Any]) -> str:
            view = await org_overview.org_settings(db, me.id, slug)
            if not view.is_admin:
                raise Forbidden(_("only an admin of the organization can change its settings"))
            current = _current(view.org)
            # Emptied: coord's lines; compared line by line as the form wrote them (\r\n).
            fields["crisis_lines"] = "\n".join(r.strip() for r in str(fields.get("crisis_lines", "")).splitlines()
                                               if r.strip())
            changed = {k: v for k, v in fields.items() if k in current and v != current[k]}
            if "crisis_lines" in changed:
                changed["crisis_lines"] = read_crisis_lines(str(changed["crisis_lines"]))
            missing = [s.name for s in settings_shown() if s.name not in fields and s.name in current]
            if missing:
                raise FormInvalid({name: _("this field is required") for name in missing}, _("required fields are missing"))
            if not changed:
                return "unchanged"
            _check_checkin_days(changed)
            await orgs_service.update_org(db, me.id, view.org.id, to_struct(changed, OrgSettingsIn))
            return "saved"

        async def again(me: CurrentUser, fields: dict[str, Any], refusal: Refusal) -> Template:
            if refusal.status in (403, 404):
                raise refusal.cause
            return await _settings_page(request, me, db, slug, values=fields, errors=refusal.errors,
                                        status_code=refusal.status)

        return await submit(request, viewer, db, action, again=again,
                            done=lambda outcome: _url(slug, f"settings?{outcome}=1"))

    @get("/coordination", name="coordination-choice")
    async def coordination(self, request: Request, viewer: Viewer, db: DB) -> Response:
        """The menu's Coordination: the one organization the reader coordinates, or a choice."""
        viewer = signed_in(request, viewer)
        mine = [o for o in await orgs_service.my_orgs(db, viewer.id) if {"admin", "coordinator"} & set(o.roles)]
        if len(mine) == 1:
            return Redirect(_url(mine[0].slug, "coordination"), status_code=303)
        return page(request, "coordination_choice.html", viewer=viewer, title=_("Coordination"), orgs=mine)


CONTROLLERS: list[Any] = [OrgSetupPages]
