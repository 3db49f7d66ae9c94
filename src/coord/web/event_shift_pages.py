"""An event's shifts from its page (admins, coordinators): several created at once, a shift
duplicated, volunteers checked in and their hours recorded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, post
from litestar.response import Redirect

from coord.i18n import gettext as _
from coord.kernel.access import STAFF, CurrentUser, check_roles, require_role
from coord.kernel.errors import DomainError, NotFound
from coord.kernel.params import DB, PathId
from coord.shifts import event_shifts, signups
from coord.shifts.service import get_shift
from coord.views import event_page
from coord.web.event_pages import show_event
from coord.web.forms import FormInvalid, form_fields
from coord.web.session import Viewer, signed_in
from coord.web.shift_rows import (
    MORE_ROWS,
    blank_shift_form,
    read_instant,
    read_rows,
    summary,
    typed_rows,
)

Change = Callable[[CurrentUser, dict[str, Any]], Awaitable[Any]]


async def _staff_shift(db: DB, viewer: CurrentUser, event_id: UUID, shift_id: UUID) -> None:
    """404 unless the shift is one of this event's and the viewer may see it; 403 unless
    they are staff of its organization."""
    shift = await get_shift(db, viewer.id, shift_id)
    if shift.event_id != event_id:
        raise NotFound(_("no such shift at this event"))
    await require_role(db, shift.org_id, viewer.id, STAFF)


class EventShiftPages(Controller):
    path = "/events"

    async def _change(self, request: Request, viewer: CurrentUser | None, db: DB, event_id: UUID,
                      shift_id: UUID, action: Change, done: str) -> Response:
        """Run `action` on one of the event's shifts in a savepoint; back to the shift on the
        page, or the page again saying why."""
        viewer = signed_in(request, viewer)
        fields = await form_fields(request)
        try:
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                await _staff_shift(db, viewer, event_id, shift_id)
                outcome = await action(viewer, fields)
        except FormInvalid as exc:
            return await show_event(request, viewer, db, event_id, problem=exc.message, status_code=422)
        except DomainError as exc:
            if exc.status == 404:
                raise
            return await show_event(request, viewer, db, event_id, problem=exc.detail, status_code=exc.status)
        anchor = outcome if isinstance(outcome, UUID) else shift_id
        return Redirect(f"/events/{event_id}?done={done}#shift-{anchor}", status_code=303)

    @post("/{event_id:uuid}/shifts", status_code=303)
    async def create_shifts(self, request: Request, viewer: Viewer, db: DB, event_id: PathId) -> Response:
        """Create the filled rows as shifts of the event, all or none (times in the event's
        timezone); "more" shows the form again with more empty rows."""
        viewer = signed_in(request, viewer)
        fields = await form_fields(request)
        view = await event_page.event_view(db, viewer.id, event_id)  # 404 for who may not see it
        check_roles(view.roles, STAFF)
        event, rows = view.event, typed_rows(fields)
        if fields.get("more"):
            form = blank_shift_form(event, rows, more=MORE_ROWS)
            return await show_event(request, viewer, db, event_id, shift_form=form)
        shifts, errors = read_rows(rows, event.timezone)
        if not shifts and not errors:
            problem = _("No shift was created: fill in at least one row (the role, the times and the places).")
            return await show_event(request, viewer, db, event_id, problem=problem, status_code=422,
                                    shift_form=blank_shift_form(event, rows, more=0))
        if errors:
            return await show_event(request, viewer, db, event_id, problem=summary(errors), status_code=422,
                                    shift_form=blank_shift_form(event, rows, errors, more=0))
        try:
            async with db.transaction():  # all the rows or none
                await event_shifts.create_event_shifts(db, viewer.id, event_id, shifts)
        except DomainError as exc:
            if exc.status == 404:
                raise
            return await show_event(request, viewer, db, event_id, problem=_("No shift was created: %(why)s") % {"why": exc.detail},
                                    status_code=exc.status, shift_form=blank_shift_form(event, rows, more=0))
        return Redirect(f"/events/{event_id}?done=shifts#shifts", status_code=303)

    @post("/{event_id:uuid}/shifts/{shift_id:uuid}/duplicate", status_code=303)
    async def duplicate(self, request: Request, viewer: Viewer, db: DB, event_id: PathId,
                        shift_id: PathId) -> Response:
        """A copy of the shift starting when the form says (in the event's timezone)."""
        async def action(me: CurrentUser, fields: dict[str, Any]) -> UUID:
            tz = (await event_page.event_view(db, me.id, event_id)).event.timezone
            starts_at, problem = read_instant(str(fields.get("starts_at", "")), tz, "start")
            if starts_at is None:
                raise FormInvalid({"starts_at": str(problem)}, _("Not duplicated. %(why)s") % {"why": problem})
            return (await event_shifts.duplicate_shift(db, me.id, shift_id, starts_at)).id
        return await self._change(request, viewer, db, event_id, shift_id, action, "duplicated")

    @post("/{event_id:uuid}/shifts/{shift_id:uuid}/signups/{signup_id:uuid}/check-in", status_code=303)
    async def check_in(self, request: Request, viewer: Viewer, db: DB, event_id: PathId, shift_id: PathId,
                       signup_id: PathId) -> Response:
        """Check a volunteer in."""
        async def action(me: CurrentUser, fields: dict[str, Any]) -> None:
            await signups.check_in_volunteer(db, me.id, shift_id, signup_id)
        return await self._change(request, viewer, db, event_id, shift_id, action, "checked_in")

    @post("/{event_id:uuid}/shifts/{shift_id:uuid}/signups/{signup_id:uuid}/hours", status_code=303)
    async def hours(self, request: Request, viewer: Viewer, db: DB, event_id: PathId, shift_id: PathId,
                    signup_id: PathId) -> Response:
        """Record the hours a volunteer served (a number such as 2.5)."""
        async def action(me: CurrentUser, fields: dict[str, Any]) -> None:
            try:
                hours = float(str(fields.get("hours", "")).replace(",", "."))
            except ValueError:
                hours = -1.0
            if not 0 <= hours <= 24:
                raise FormInvalid({"hours": _("hours from 0 to 24")},
                                  _("Give the hours as a number from 0 to 24, such as 2.5."))
            await signups.set_hours(db, me.id, shift_id, signup_id, hours)
        return await self._change(request, viewer, db, event_id, shift_id, action, "hours")


CONTROLLERS: list[Any] = [EventShiftPages]
