"""The shift board: a week of shifts by role and event, one-click sign up and cancel."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from coord import i18n
from coord.i18n import gettext as _
from coord.i18n.dates import in_skeleton
from coord.kernel import clock
from coord.auth import service as auth_service
from coord.kernel.access import CurrentUser
from coord.kernel.errors import DomainError
from coord.kernel.params import DB, PathId
from coord.orgs import service as orgs_service
from coord.shifts import signups
from coord.views import shift_board as board
from coord.web.forms import form_fields
from coord.web.render import page
from coord.web.session import Viewer, signed_in


def _parse_week(value: str | None, tz: str) -> date:
    """The day asked for, or today in the reader's timezone when none (or nonsense) is given."""
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return clock.today_in(tz)


def _week_end(week_start: date, tz: str) -> datetime:
    """The instant the board's week ends (next Monday 00:00 in `tz`)."""
    return datetime.combine(week_start + timedelta(days=7), time(0), ZoneInfo(tz))


def _day(day: date, english: str, skeleton: str) -> str:
    """A day as the reader's language writes it: English keeps its strftime words exactly,
    others take CLDR's pattern for the skeleton ("lun, 7 dic 2026")."""
    if i18n.current() == i18n.DEFAULT:
        return day.strftime(english)
    return in_skeleton(datetime.combine(day, time(0)), skeleton)


def _parse_uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


def board_url(org: str, week: date, role: str | None, event: str | None, just: UUID | None = None) -> str:
    query = {"org": org, "week": week.isoformat()}
    if role:
        query["role"] = role
    if event:
        query["event"] = event
    if just:
        query["just"] = str(just)
    return "/shifts?" + urlencode(query) + (f"#shift-{just}" if just else "")


class ShiftPages(Controller):
    path = "/shifts"

    @get("", name="shift-board")
    async def shift_board(self, request: Request, viewer: Viewer, db: DB) -> Template:
        """The board for one of the viewer's organizations (`org` is a slug), one week at a time."""
        return await self._board(request, signed_in(request, viewer), db, dict(request.query_params))

    async def _board(self, request: Request, viewer: CurrentUser, db: DB, params: dict[str, Any],
                     problem: str | None = None, problem_shift: UUID | None = None, status_code: int = 200) -> Template:
        me = await auth_service.me(db, viewer.id)
        orgs = sorted(me.memberships, key=lambda m: m.org_slug)
        if not orgs:
            return page(request, "shifts.html", viewer=viewer, title=_("Shifts"), orgs=[], org=None, board=None,
                        problem=problem, status_code=status_code)
        slug = params.get("org") or orgs[0].org_slug
        membership = next((m for m in orgs if m.org_slug == slug), orgs[0])
        org = await orgs_service.org_by_slug(db, membership.org_slug)
        role, event = params.get("role") or None, params.get("event") or None
        week = _parse_week(params.get("week"), viewer.timezone)
        shifts = await board.shift_board(db, viewer.id, org.id, week, viewer.timezone, role, _parse_uuid(event))
        now = clock.now()
        next_open = None
        if not board.has_open_shift(shifts, now):
            # Never greet anyone with an empty week while open shifts exist later: without a
            # week asked for, open on the next one's week; with one, say when it is.
            ahead = await board.next_open_shift(db, org.id, max(now, _week_end(shifts.week_start, viewer.timezone)))
            if ahead is not None and not params.get("week") and not (role or event):
                week = ahead.astimezone(ZoneInfo(viewer.timezone)).date()
                shifts = await board.shift_board(db, viewer.id, org.id, week, viewer.timezone)
            elif ahead is not None:
                day = ahead.astimezone(ZoneInfo(viewer.timezone)).date()
                next_open = (_day(day, "%A %-d %B %Y", "yMMMMEEEEd"), board_url(org.slug, day, None, None))
        return page(
            request, "shifts.html", viewer=viewer, title=_("Shifts"), crisis_line=org.crisis_resources,
            orgs=orgs, org=org, board=shifts, role=role, event=event, status_code=status_code,
            just=_parse_uuid(params.get("just")), problem=problem, problem_shift=problem_shift,
            prev_url=board_url(org.slug, shifts.week_start - timedelta(days=7), role, event),
            next_url=board_url(org.slug, shifts.week_start + timedelta(days=7), role, event),
            week_from=_day(shifts.week_start, "%a %d %b %Y", "yMMMEd"),
            week_to=_day(shifts.week_start + timedelta(days=6), "%a %d %b", "MMMEd"), now=now, next_open=next_open,
        )

    async def _change(self, request: Request, viewer: CurrentUser | None, db: DB, shift_id: UUID, cancel: bool) -> Response:
        viewer = signed_in(request, viewer)
        fields = await form_fields(request)
        back = board_url(str(fields.get("org", "")), _parse_week(fields.get("week"), viewer.timezone),
                         fields.get("role"), fields.get("event"), just=shift_id)
        try:
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                if cancel:
                    await signups.cancel_signup(db, viewer.id, shift_id)
                else:
                    await signups.sign_up(db, viewer.id, shift_id)
        except DomainError as exc:
            # Nothing changed (the transaction rolls back): the same board, saying why.
            return await self._board(request, viewer, db, fields, problem=exc.detail, problem_shift=shift_id,
                                     status_code=exc.status)
        return Redirect(back, status_code=303)

    @post("/{shift_id:uuid}/signup", status_code=303)
    async def sign_up(self, request: Request, viewer: Viewer, db: DB, shift_id: PathId) -> Response:
        """Take a place, or join the waitlist when the shift is full; back to the board, which says which."""
        return await self._change(request, viewer, db, shift_id, cancel=False)

    @post("/{shift_id:uuid}/cancel", status_code=303)
    async def cancel(self, request: Request, viewer: Viewer, db: DB, shift_id: PathId) -> Response:
        """Give up a place or leave the waitlist; the first person waiting is promoted."""
        return await self._change(request, viewer, db, shift_id, cancel=True)


CONTROLLERS: list[Any] = [ShiftPages]
