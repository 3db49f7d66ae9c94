"""The page of a community event: when and where, places left, registering and the
waitlist, and changing or cancelling the event for its coordinators."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from coord.i18n import N_
from coord.i18n import gettext as _
from coord.kernel.access import CurrentUser
from coord.kernel.errors import DomainError
from coord.events import service as events_service
from coord.events.schemas import EventPatch
from coord.i18n import codes
from coord.kernel.params import DB, PathId
from coord.orgs import service as orgs_service
from coord.views import event_page
from coord.web.forms import FormInvalid, Refusal, form_fields, local_times, submit, to_struct
from coord.web.render import page
from coord.web.shift_rows import blank_shift_form
from coord.web.session import Viewer, login_url, signed_in

DONE = {
    "registered": None,  # the registration itself says what happened
    "left": N_("You are no longer registered for this event."),
    "cancelled": N_("The event is cancelled. Everyone registered has been told."),
    "changed": N_("The event is changed. Everyone with a place gets the new details for their calendar."),
    "shifts": N_("The shifts were created. Volunteers can sign up for them on the shift board now."),
    "duplicated": N_("The shift was duplicated. The copy is in the list below; nobody is signed up for it yet."),
    "checked_in": N_("Checked in."),
    "hours": N_("The hours were recorded."),
}
EDITABLE = ("title", "starts_at", "ends_at", "capacity", "venue_id", "languages")


async def show_event(request: Request, viewer: CurrentUser | None, db: DB, event_id: UUID, *,
                     problem: str | None = None, status_code: int = 200,
                     shift_form: dict[str, Any] | None = None) -> Template:
    """The event's page (`shift_form`: the shifts form as typed, with its errors, when it was refused)."""
    view = await event_page.event_view(db, viewer.id if viewer else None, event_id, people=True)
    done = request.query_params.get("done") if request.method == "GET" else None
    said = DONE.get(done or "")
    venues = []
    if viewer and view.is_staff:  # the change form offers the organization's venues
        venues = (await orgs_service.list_venues(db, viewer.id, view.event.org_id, 200, None)).items
    return page(
        request, "event.html", viewer=viewer, title=view.event.title, crisis_line=view.org.crisis_resources,
        timezone=view.event.timezone, status_code=status_code, view=view, event=view.event, org=view.org,
        problem=problem, done=_(said) if said else None, just=done, login_link=login_url(f"/events/{event_id}"),
        venue_options=[(str(v.id), v.name) for v in venues],
        shift_form=shift_form or blank_shift_form(view.event),
    )


class EventPages(Controller):
    path = "/events"

    async def _page(self, request: Request, viewer: CurrentUser | None, db: DB, event_id: UUID, *,
                    problem: str | None = None, status_code: int = 200) -> Template:
        return await show_event(request, viewer, db, event_id, problem=problem, status_code=status_code)

    @get("/{event_id:uuid}", name="event-page")
    async def event(self, request: Request, viewer: Viewer, db: DB, event_id: PathId) -> Template:
        """An event: anyone for a public one, members of its organization for the others."""
        return await self._page(request, viewer, db, event_id)

    async def _change(self, request: Request, viewer: CurrentUser | None, db: DB, event_id: UUID, action: Any,
                      done: str) -> Response:
        async def again(me: CurrentUser, fields: dict[str, Any], refusal: Refusal) -> Template:
            return await self._page(request, me, db, event_id, problem=refusal.problem, status_code=refusal.status)

        return await submit(request, viewer, db, action, again=again,
                            done=lambda _: f"/events/{event_id}?done={done}#registration")

    @post("/{event_id:uuid}/register", status_code=303)
    async def register(self, request: Request, viewer: Viewer, db: DB, event_id: PathId) -> Response:
        """Take a place, or the back of the waitlist when the event is full."""
        async def action(me: CurrentUser, fields: dict[str, Any]) -> None:
            await events_service.register(db, me.id, event_id)
        return await self._change(request, viewer, db, event_id, action, "registered")

    @post("/{event_id:uuid}/unregister", status_code=303)
    async def unregister(self, request: Request, viewer: Viewer, db: DB, event_id: PathId) -> Response:
        """Give up a place or leave the waitlist; the first person waiting gets the place."""
        async def action(me: CurrentUser, fields: dict[str, Any]) -> None:
            await events_service.unregister(db, me.id, event_id)
        return await self._change(request, viewer, db, event_id, action, "left")

    @post("/{event_id:uuid}/edit", status_code=303)
    async def edit(self, request: Request, viewer: Viewer, db: DB, event_id: PathId) -> Response:
        """Change the title, times (in the event's timezone), places or venue (admins,
        coordinators). The form holds every value: an empty places field means no limit."""
        viewer = signed_in(request, viewer)
        fields = await form_fields(request)
        view = await event_page.event_view(db, viewer.id, event_id)  # 404 for who may not see it
        # The form holds every field: missing (emptied) places mean no limit, a missing venue none.
        change = {name: fields.get(name) for name in EDITABLE}
        change["languages"] = codes.split(change["languages"])  # "es, en"; empty: none said
        try:
            data = to_struct(local_times(change, view.event.timezone), EventPatch)
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                await events_service.update_event(db, viewer.id, event_id, data)
        except FormInvalid as exc:
            return await self._page(request, viewer, db, event_id,
                                    problem=_("Not changed: %(why)s") % {"why": exc.message}, status_code=422)
        except DomainError as exc:
            return await self._page(request, viewer, db, event_id, problem=exc.detail, status_code=exc.status)
        return Redirect(f"/events/{event_id}?done=changed", status_code=303)

    @post("/{event_id:uuid}/cancel", status_code=303)
    async def cancel(self, request: Request, viewer: Viewer, db: DB, event_id: PathId) -> Response:
        """Cancel the event and every registration (admins, coordinators); needs the confirmation box."""
        viewer = signed_in(request, viewer)
        fields = await form_fields(request)
        if fields.get("confirm") != "yes":
            return await self._page(request, viewer, db, event_id, status_code=422,
                                    problem=_("Tick the box to confirm that the event should be cancelled."))
        try:
            async with db.transaction():
                await events_service.cancel_event(db, viewer.id, event_id)
        except DomainError as exc:
            return await self._page(request, viewer, db, event_id, problem=exc.detail, status_code=exc.status)
        return Redirect(f"/events/{event_id}?done=cancelled", status_code=303)


CONTROLLERS: list[Any] = [EventPages]
