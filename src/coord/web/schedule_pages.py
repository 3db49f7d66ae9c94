"""Scheduling a series of sessions: a form that says the rule back in words and
previews the dates (a plain GET, so it works without JavaScript), then saves it, with
its facilitators; and the group's series, whose facilitators can change later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from coord.i18n import N_, ngettext
from coord.i18n import gettext as _
from coord.i18n.dates import short_time
from coord.kernel import clock
from coord.kernel.access import CurrentUser
from coord.auth.service import check_timezone
from coord.kernel.errors import DomainError, Forbidden, NotFound
from coord.groups import service as groups_service
from coord.groups.service import GroupAccess
from coord.kernel.params import DB, PathId
from coord.orgs import service as orgs_service
from coord.sessions import series_staff
from coord.sessions import service as sessions_service
from coord.sessions.describe import (
    REPEATS,
    WEEKDAYS,
    created_now,
    horizon_weeks,
    rrule_from_choices,
    series_dates,
    weekday_code,
)
from coord.sessions.recurrence import MAX_OCCURRENCES, SeriesRule, is_finite
from coord.sessions.schemas import FacilitatorsIn, SeriesIn
from coord.views.facilitators import group_facilitators
from coord.web.zones import picker
from coord.web.forms import FormInvalid, domain_errors, form_fields
from coord.web.render import page, when
from coord.web.series_words import repeats, series_words, weekday_name, weekdays
from coord.web.session import Viewer, signed_in

PREVIEW_LIMIT = 26
DEFAULTS = {"duration_minutes": "90", "freq": "weekly"}
NOT_A_FACILITATOR = N_("Someone chosen no longer facilitates this group: choose from the list again.")
# Where the service's field errors show on this form.
_SERVICE_FIELDS = {"start": "start_date", "rrule": "form", "facilitator_ids": "facilitator_ids",
                   "user_ids": "facilitator_ids"}


@dataclass(frozen=True)
class SeriesChoice:
    data: SeriesIn
    rule: SeriesRule


def query_fields(request: Request) -> dict[str, Any]:
    """The query string like form_fields reads a form: stripped, empty dropped, repeats as lists."""
    fields: dict[str, Any] = {}
    for key in request.query_params.keys():
        values = [v.strip() for v in request.query_params.getall(key) if v.strip()]
        if values:
            fields[key] = values if len(values) > 1 else values[0]
    return fields


def _as_list(value: Any) -> list[str]:
    return [] if value is None else list(value) if isinstance(value, list) else [value]


def _whole(value: str, low: int, high: int, what: str) -> int:
    """`value` as a whole number; ValueError with the sentence that says what to write (`what` is marked)."""
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValueError(_("%(what)s must be a whole number from %(low)s to %(high)s.") % {
            "what": _(what), "low": low, "high": high})
    return int(value)


def read_series_form(fields: dict[str, Any], now: datetime) -> SeriesChoice:
    """The form's choices as the service's SeriesIn and the checked rule; FormInvalid names every problem."""
    errors: dict[str, str] = {}
    start_day = start_time = until = None
    count = duration = None
    try:
        start_day = date.fromisoformat(str(fields.get("start_date", "")))
    except ValueError:
        errors["start_date"] = _("Enter the date of the first session, like 2026-03-10.")
    try:
        start_time = time.fromisoformat(str(fields.get("start_time", "")))
    except ValueError:
        errors["start_time"] = _("Enter the start time, like 18:30.")
    tz = str(fields.get("timezone", ""))
    try:
        check_timezone(tz)
    except DomainError:
        errors["timezone"] = _("Choose a timezone from the list.")
    try:
        duration = _whole(str(fields.get("duration_minutes", "")), 5, 1440, N_("The length in minutes"))
    except ValueError as exc:
        errors["duration_minutes"] = str(exc)
    repeat = str(fields.get("freq", ""))
    if repeat not in REPEATS:
        errors["freq"] = _("Choose how often the group meets.")
    weekdays = _as_list(fields.get("byday"))
    if any(d not in WEEKDAYS for d in weekdays):
        errors["byday"] = _("Choose days from the list.")
    elif weekdays and repeat in ("weekly", "biweekly") and start_day and weekday_code(start_day) not in weekdays:
        errors["byday"] = _("The first date is a %(day)s: tick %(day)s too, or change the first date.") % {
            "day": weekday_name(start_day.weekday())}
    # Until further notice: no COUNT or UNTIL in the rule; the rolling horizon keeps adding sessions.
    open_ended = bool(fields.get("open_ended"))
    if open_ended and ("count" in fields or "until" in fields):
        errors["until"] = _("Choose one: a number of sessions, a last date, or until further notice.")
    elif not open_ended and "count" in fields and "until" in fields:
        errors["until"] = _("Fill in only one: the number of sessions or the last date.")
    elif not open_ended and "count" in fields:
        try:
            count = _whole(str(fields["count"]), 1, MAX_OCCURRENCES, N_("The number of sessions"))
        except ValueError as exc:
            errors["count"] = str(exc)
    elif not open_ended and "until" in fields:
        try:
            until = date.fromisoformat(str(fields["until"]))
            if start_day and until < start_day:
                errors["until"] = _("The last date must be on or after the first date.")
        except ValueError:
            errors["until"] = _("Enter the last date, like 2026-06-30.")
    elif not open_ended:
        errors["count"] = _("Say when the series ends: a number of sessions, a last date, or until further notice.")
    facilitator_ids = []
    try:
        facilitator_ids = [UUID(v) for v in _as_list(fields.get("facilitator_ids"))]
    except ValueError:
        errors["facilitator_ids"] = _("Choose facilitators from the list.")
    venue_id = None
    if fields.get("venue_id"):
        try:
            venue_id = UUID(str(fields["venue_id"]))
        except ValueError:
            errors["venue_id"] = _("Choose a venue from the list.")
    start = datetime.combine(start_day, start_time) if start_day and start_time else None
    if start is not None and "timezone" not in errors and start.replace(tzinfo=ZoneInfo(tz)) < now:
        errors["start_date"] = _("The first session is in the past: choose a date and time from now on.")
    if errors:
        raise FormInvalid(errors, "; ".join(errors.values()))
    assert start is not None and start_day is not None and duration is not None
    rrule = rrule_from_choices(repeat, start_day, weekdays, count=count, until=until)  # type: ignore[arg-type]
    data = SeriesIn(start=start, timezone=tz, duration_minutes=duration, rrule=rrule, venue_id=venue_id,
                    facilitator_ids=facilitator_ids)
    try:
        rule = sessions_service.checked_rule(start, tz, rrule, duration)
    except DomainError as exc:
        raise FormInvalid(_service_errors(exc), exc.detail) from None
    return SeriesChoice(data, rule)


def _service_errors(exc: DomainError) -> dict[str, str]:
    errors = {_SERVICE_FIELDS.get(k, k): v for k, v in domain_errors(exc).items()}
    if "facilitator_ids" in errors:  # the service names the ids; a person picked names
        errors["facilitator_ids"] = _(NOT_A_FACILITATOR)
    return errors


async def _venues(db: DB, viewer: CurrentUser, access: GroupAccess) -> list[Any]:
    try:
        return (await orgs_service.list_venues(db, viewer.id, access.group.org_id, 200, None)).items
    except Forbidden:  # a group facilitator without the facilitator role in the organization
        return []


async def _form_page(request: Request, viewer: CurrentUser, db: DB, access: GroupAccess, values: dict[str, Any],
                     errors: dict[str, str], choice: SeriesChoice | None = None, status_code: int = 200,
                     notice: str | None = None, problem: str | None = None) -> Template:
    preview: dict[str, Any] | None = None
    if choice is not None:
        now = clock.now()
        dates = series_dates(choice.rule, now=now)
        preview = {
            "words": series_words(choice.rule),
            "dates": [_date_row(a, b, choice.data.timezone, viewer.timezone) for a, b in dates[:PREVIEW_LIMIT]],
            "total": len(dates),
            "more": max(0, len(dates) - PREVIEW_LIMIT), "created_now": created_now(dates, now=now),
            "series_tz": choice.data.timezone, "saved": _saved_fields(values), "endless": not is_finite(choice.rule),
        }
    group = access.group
    zones = picker(str(values.get("timezone") or ""), group.timezone, chosen=True)  # the group's first
    series = await series_staff.group_series(db, viewer.id, group.id)
    return page(
        request, "group_schedule.html", viewer=viewer, title=_("Schedule sessions: %(group)s") % {"group": group.name},
        status_code=status_code, g=group, values=values, byday=_as_list(values.get("byday")), errors=errors,
        preview=preview, zones=zones, repeats=repeats(), weekdays=weekdays(),
        venues=await _venues(db, viewer, access), max_count=MAX_OCCURRENCES, horizon_weeks=horizon_weeks(),
        preview_limit=PREVIEW_LIMIT, facilitators=await group_facilitators(db, group.id),
        chosen=[str(v) for v in _as_list(values.get("facilitator_ids"))],
        series=series, notice=notice, problem=problem,
        series_words={s.id: series_words(s.rule) if s.rule else s.description for s in series},
    )


def _date_row(start: datetime, end: datetime, series_tz: str, reader_tz: str) -> tuple[str, str | None]:
    """"Tue 10 Mar 2026, 18:30–20:00" in the series' timezone, and the start in the reader's when it differs."""
    local_end = end.astimezone(ZoneInfo(series_tz))
    same_day = local_end.date() == start.astimezone(ZoneInfo(series_tz)).date()
    text = f"{when(start, series_tz, True)}–{short_time(end, series_tz)}" if same_day else \
        f"{when(start, series_tz, True)} – {when(end, series_tz, True)}"
    return text, (when(start, reader_tz) if reader_tz != series_tz else None)


def _saved_fields(values: dict[str, Any]) -> list[tuple[str, str]]:
    """The previewed choices as hidden fields of the "Save series" form."""
    names = ("start_date", "start_time", "timezone", "duration_minutes", "freq", "count", "until", "open_ended",
             "venue_id")
    pairs = [(n, str(values[n])) for n in names if values.get(n)]
    return pairs + [(many, v) for many in ("byday", "facilitator_ids") for v in _as_list(values.get(many))]


class SchedulePages(Controller):
    path = "/groups/{group_id:uuid}/schedule"

    @get("", name="group-schedule")
    async def schedule_form(self, request: Request, viewer: Viewer, db: DB, group_id: PathId) -> Template:
        """The series form; with `preview=1` and the form's fields, the rule in words and its dates."""
        viewer = signed_in(request, viewer)
        access = await groups_service.require_manager(db, group_id, viewer.id)  # 404 / 403 pages
        fields = query_fields(request)
        if not fields.pop("preview", None):
            return await _form_page(request, viewer, db, access, _defaults(access), {}, notice=_staffed(request))
        try:
            choice = read_series_form(fields, clock.now())
        except FormInvalid as exc:
            return await _form_page(request, viewer, db, access, fields, exc.errors, status_code=422)
        return await _form_page(request, viewer, db, access, fields, {}, choice)

    @post("", status_code=303)
    async def save_series(self, request: Request, viewer: Viewer, db: DB, group_id: PathId) -> Response:
        """Create the series: its sessions up to the rolling horizon; back to the group, saying how many."""
        viewer = signed_in(request, viewer)
        access = await groups_service.require_manager(db, group_id, viewer.id)
        fields = await form_fields(request)
        try:
            choice = read_series_form(fields, clock.now())
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                created = await sessions_service.create_series(db, viewer.id, group_id, choice.data)
        except FormInvalid as exc:
            return await _form_page(request, viewer, db, access, fields, exc.errors, status_code=422)
        except DomainError as exc:
            return await _form_page(request, viewer, db, access, fields, _service_errors(exc), status_code=exc.status)
        return Redirect(f"/groups/{group_id}?" + urlencode({"scheduled": created.sessions_created}), status_code=303)

    @post("/series/{series_id:uuid}/facilitators", status_code=303)
    async def staff_series(self, request: Request, viewer: Viewer, db: DB, group_id: PathId,
                           series_id: PathId) -> Response:
        """Change a series' own facilitators: every session of it not over yet gets them (but one
        given facilitators of its own), and so do the sessions added later."""
        viewer = signed_in(request, viewer)
        access = await groups_service.require_manager(db, group_id, viewer.id)
        fields = await form_fields(request)
        try:
            chosen = [UUID(v) for v in _as_list(fields.get("facilitator_ids"))]
        except ValueError:
            chosen = None
        try:
            if chosen is None:
                raise FormInvalid({"facilitator_ids": _(NOT_A_FACILITATOR)}, _(NOT_A_FACILITATOR))
            async with db.transaction():
                if series_id not in {s.id for s in await series_staff.group_series(db, viewer.id, group_id)}:
                    raise NotFound(_("no such series in this group"))
                done = await series_staff.set_series_facilitators(db, viewer.id, series_id, FacilitatorsIn(chosen))
        except FormInvalid as exc:
            return await _form_page(request, viewer, db, access, _defaults(access), {}, status_code=422,
                                    problem=_("The facilitators were not changed. %(why)s") % {
                                        "why": exc.errors["facilitator_ids"]})
        except DomainError as exc:
            if exc.status == 404:
                raise
            message = _(NOT_A_FACILITATOR) if "facilitator_ids" in _service_errors(exc) else exc.detail
            return await _form_page(request, viewer, db, access, _defaults(access), {}, status_code=exc.status,
                                    problem=_("The facilitators were not changed. %(why)s") % {"why": message})
        query = urlencode({"staffed": done.sessions_changed, "kept": done.sessions_kept})
        return Redirect(f"/groups/{group_id}/schedule?{query}#series", status_code=303)


def _defaults(access: GroupAccess) -> dict[str, Any]:
    return {**DEFAULTS, "timezone": access.group.timezone}


def _staffed(request: Request) -> str | None:
    """The notice after a series' facilitators changed."""
    changed, kept = request.query_params.get("staffed"), request.query_params.get("kept")
    if not (changed and changed.isdigit()):
        return None
    text = ngettext("The series' facilitators were saved: %(num)s session ahead changed, and the sessions added "
                    "later will have them too.",
                    "The series' facilitators were saved: %(num)s sessions ahead changed, and the sessions added "
                    "later will have them too.", int(changed)) % {"num": int(changed)}
    if kept and kept.isdigit() and kept != "0":
        text += " " + ngettext("%(num)s session keeps the facilitators chosen for it alone.",
                               "%(num)s sessions keep the facilitators chosen for it alone.", int(kept)) % {"num": int(kept)}
    return text


CONTROLLERS: list[Any] = [SchedulePages]
