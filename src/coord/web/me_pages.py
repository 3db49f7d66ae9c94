"""My schedule (group sessions with my RSVP, my shift places, my event registrations, each
with its one-click change), log out everywhere, and my data (download, delete).

Feeds, notification settings and trainings are in me_settings_pages.py; both are here in
CONTROLLERS. Every page is the signed-in person's own: nothing about anyone else is read.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from coord import i18n
from coord.i18n import N_, gettext as _
from coord.i18n.dates import in_skeleton
from coord.kernel import clock
from coord.auth import service as auth_service
from coord.kernel.access import CurrentUser
from coord.kernel.errors import DomainError
from coord.events import service as events_service
from coord.feeds.routes import forget_feeds
from coord.kernel.params import DB, PathId
from coord.orgs.service import my_orgs
from coord.privacy import service as privacy_service
from coord.sessions import participation
from coord.sessions.schemas import RsvpIn
from coord.shifts import signups
from coord.views.my_schedule import EventItem, MySchedule, SessionItem, ShiftItem, my_schedule
from coord.web.forms import form_fields
from coord.web.me_settings_pages import SETTINGS_CONTROLLERS
from coord.web.render import page
from coord.web.session import Viewer, cleared_session_cookie, signed_in

WINDOW = timedelta(days=60)
FAR_AHEAD = timedelta(days=3 * 366)  # how far "the next thing ahead" is looked for
KINDS = {SessionItem: "session", ShiftItem: "shift", EventItem: "event"}
# What just happened, said after the redirect back to /me (?done=...).
DONE = {
    "going": N_("Thank you: you are down as going."),
    "not_going": N_("Thank you for letting the group know you are not going."),
    "shift": N_("You are no longer signed up for that shift."),
    "event": N_("You are no longer registered for that event."),
    "org_left": N_("You have left the organization. A message saying what changed is on its way to you."),
}


def _day(day: date, english: str, skeleton: str) -> str:
    """A day as the reader's language writes it: English keeps its strftime words exactly
    ("Tuesday 24 November 2026"), others take CLDR's pattern for the skeleton."""
    if i18n.current() == i18n.DEFAULT:
        return day.strftime(english)
    return in_skeleton(datetime.combine(day, time(0)), skeleton)


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _window_start(day: date | None, tz: str) -> datetime:
    """From the start of `day` in the reader's timezone, or from now (what has not ended yet)."""
    if day is None:
        return clock.now()
    return datetime.combine(day, time(), ZoneInfo(tz))


def me_url(from_day: str | None = None, done: str | None = None, anchor: str | None = None) -> str:
    query = {k: v for k, v in (("from", from_day), ("done", done)) if v}
    return "/me" + (f"?{urlencode(query)}" if query else "") + (f"#{anchor}" if anchor else "")


def _days(schedule: MySchedule, tz: str) -> list[tuple[str, list[tuple[str, Any]]]]:
    """The items grouped by their local day, oldest first: [(day label, [(kind, item)])]."""
    zone = ZoneInfo(tz)
    days: list[tuple[str, list[tuple[str, Any]]]] = []
    last: date | None = None
    for item in schedule.items:
        local_day = item.starts_at.astimezone(zone).date()
        if local_day != last:  # a label per day, not per item: in Spanish and Arabic each is a CLDR pattern applied
            days.append((_day(local_day, "%A %-d %B %Y", "yMMMMEEEEd"), []))
            last = local_day
        days[-1][1].append((KINDS[type(item)], item))
    return days


async def schedule_page(request: Request, viewer: CurrentUser, db: DB, from_value: str | None, *,
                        done: str | None = None, problem: str | None = None, problem_id: UUID | None = None,
                        status_code: int = 200) -> Template:
    day = _parse_day(from_value)
    start = _window_start(day, viewer.timezone)
    schedule = await my_schedule(db, viewer.id, start, start + WINDOW)
    zone = ZoneInfo(viewer.timezone)
    first_day = start.astimezone(zone).date()
    last_day = (start + WINDOW).astimezone(zone).date()
    next_ahead = None
    if not schedule.items:  # nothing in these weeks: say when the next thing is, however far
        later = await my_schedule(db, viewer.id, start + WINDOW, start + FAR_AHEAD)
        if later.items:
            ahead = later.items[0].starts_at.astimezone(zone).date()
            next_ahead = (_day(ahead, "%A %-d %B %Y", "yMMMMEEEEd"), me_url(ahead.isoformat()))
    return page(
        request, "me.html", viewer=viewer, title=_("My schedule"), status_code=status_code,
        schedule=schedule, days=_days(schedule, viewer.timezone), orgs=await my_orgs(db, viewer.id),
        from_day=day.isoformat() if day else "", first_day=_day(first_day, "%a %d %b %Y", "yMMMEd"),
        last_day=_day(last_day, "%a %d %b %Y", "yMMMEd"),
        earlier_url=me_url((first_day - WINDOW).isoformat()), later_url=me_url(last_day.isoformat()),
        now_url=me_url() if day else None, next_ahead=next_ahead,
        done=_(DONE[done]) if done in DONE else None, problem=problem, problem_id=problem_id, now=clock.now(),
    )


class MePages(Controller):
    path = "/me"

    @get("", name="my-schedule")
    async def schedule(self, request: Request, viewer: Viewer, db: DB, done: FromQuery[str | None] = None) -> Template:
        """My sessions, shifts and events for the next two months (or from `from`, a date), oldest first."""
        return await schedule_page(request, signed_in(request, viewer), db, request.query_params.get("from"),
                                   done=done)

    async def _change(self, request: Request, viewer: CurrentUser | None, db: DB, item_id: UUID, kind: str) -> Response:
        viewer = signed_in(request, viewer)
        fields = await form_fields(request)
        from_value = str(fields.get("from", "")) or None
        done = kind
        try:
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                if kind == "session":
                    data = RsvpIn(response="not_going" if fields.get("response") == "not_going" else "going")
                    await participation.rsvp(db, viewer.id, item_id, data)
                    done = data.response
                elif kind == "shift":
                    await signups.cancel_signup(db, viewer.id, item_id)
                else:
                    await events_service.unregister(db, viewer.id, item_id)
        except DomainError as exc:
            return await schedule_page(request, viewer, db, from_value, problem=exc.detail, problem_id=item_id,
                                       status_code=exc.status)
        return Redirect(me_url(from_value, done, f"{kind}-{item_id}"), status_code=303)

    @post("/sessions/{session_id:uuid}/rsvp", status_code=303)
    async def rsvp(self, request: Request, viewer: Viewer, db: DB, session_id: PathId) -> Response:
        """Going or not going to a session of my group (`response` = going | not_going)."""
        return await self._change(request, viewer, db, session_id, "session")

    @post("/shifts/{shift_id:uuid}/cancel", status_code=303)
    async def cancel_shift_place(self, request: Request, viewer: Viewer, db: DB, shift_id: PathId) -> Response:
        """Give up my place on a shift or leave its waitlist; the first person waiting is promoted."""
        return await self._change(request, viewer, db, shift_id, "shift")

    @post("/events/{event_id:uuid}/cancel", status_code=303)
    async def cancel_registration(self, request: Request, viewer: Viewer, db: DB, event_id: PathId) -> Response:
        """Cancel my registration for an event (or leave its waitlist)."""
        return await self._change(request, viewer, db, event_id, "event")

    @post("/logout-all", status_code=303)
    async def logout_everywhere(self, request: Request, viewer: Viewer, db: DB) -> Response:
        """End every session and token of mine, on every device; then this browser's too."""
        viewer = signed_in(request, viewer)
        await auth_service.revoke_tokens(db, viewer.id)
        return Redirect("/login", status_code=303, cookies=[cleared_session_cookie(request)])

    @get("/export.json", name="my-data-export", cache=False)
    async def export(self, request: Request, viewer: Viewer, db: DB) -> Response:
        """Everything coord holds about me, as a JSON file to download (the export is audited)."""
        viewer = signed_in(request, viewer)
        data = await privacy_service.export(db, viewer.id)
        return Response(
            content=msgspec.json.encode(data),
            media_type="application/json",
            headers={"Content-Disposition": 'attachment; filename="coord-my-data.json"', "Cache-Control": "no-store"},
        )

    @get("/delete", name="delete-account")
    async def delete_form(self, request: Request, viewer: Viewer) -> Template:
        """What deleting my account does, and the button that does it."""
        return page(request, "me_delete.html", viewer=signed_in(request, viewer), title=_("Delete my account"),
                    error=None)

    @post("/delete", status_code=303)
    async def delete(self, request: Request, viewer: Viewer, state: State) -> Response:
        """Erase my account (after the confirmation box is ticked), like DELETE /api/v1/me."""
        viewer = signed_in(request, viewer)
        fields = await form_fields(request)
        if fields.get("confirm") != "yes":
            return page(request, "me_delete.html", viewer=viewer, title=_("Delete my account"), status_code=422,
                        error=_("Tick the box to confirm that you want to delete your account."))
        # Its own transaction, as in the API: cached feed renders are dropped after the commit.
        async with state.pool.acquire() as conn, conn.transaction():
            feed_hashes = await privacy_service.erase(conn, viewer.id)
        await forget_feeds(state, feed_hashes)
        return Redirect("/me/deleted", status_code=303, cookies=[cleared_session_cookie(request)])

    @get("/deleted", name="account-deleted")
    async def deleted(self, request: Request, viewer: Viewer) -> Template:
        """Said once the account is gone (no session needed)."""
        return page(request, "me_deleted.html", viewer=viewer, title=_("Your account is deleted"))


CONTROLLERS: list[Any] = [MePages, *SETTINGS_CONTROLLERS]
