"""The page of a community event: when and where, places left, registering and the
waitlist, and cancelling the event for its coordinators."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from coord.auth.schemas import CurrentUser
from coord.errors import DomainError
from coord.events import public, service as events_service
from coord.http import DB, PathId
from coord.web.forms import form_fields
from coord.web.render import page
from coord.web.session import Viewer, login_url, signed_in

DONE = {
    "registered": None,  # the registration itself says what happened
    "left": "You are no longer registered for this event.",
    "cancelled": "The event is cancelled. Everyone registered has been told.",
}


class EventPages(Controller):
    path = "/events"

    async def _page(self, request: Request, viewer: CurrentUser | None, db: DB, event_id: UUID, *,
                    problem: str | None = None, status_code: int = 200) -> Template:
        view = await public.event_view(db, viewer.id if viewer else None, event_id)
        done = request.query_params.get("done") if request.method == "GET" else None
        return page(
            request, "event.html", viewer=viewer, title=view.event.title, crisis_line=view.org.crisis_resources,
            timezone=view.event.timezone, status_code=status_code, view=view, event=view.event, org=view.org,
            problem=problem, done=DONE.get(done or ""), just=done, login_link=login_url(f"/events/{event_id}"),
        )

    @get("/{event_id:uuid}", name="event-page")
    async def event(self, request: Request, viewer: Viewer, db: DB, event_id: PathId) -> Template:
        """An event: anyone for a public one, members of its organization for the others."""
        return await self._page(request, viewer, db, event_id)

    async def _change(self, request: Request, viewer: CurrentUser | None, db: DB, event_id: UUID, action: Any,
                      done: str) -> Response:
        viewer = signed_in(request, viewer)
        await form_fields(request)  # the CSRF token only
        try:
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                await action(viewer)
        except DomainError as exc:
            return await self._page(request, viewer, db, event_id, problem=exc.detail, status_code=exc.status)
        return Redirect(f"/events/{event_id}?done={done}#registration", status_code=303)

    @post("/{event_id:uuid}/register", status_code=303)
    async def register(self, request: Request, viewer: Viewer, db: DB, event_id: PathId) -> Response:
        """Take a place, or the back of the waitlist when the event is full."""
        async def action(me: CurrentUser) -> None:
            await events_service.register(db, me.id, event_id)
        return await self._change(request, viewer, db, event_id, action, "registered")

    @post("/{event_id:uuid}/unregister", status_code=303)
    async def unregister(self, request: Request, viewer: Viewer, db: DB, event_id: PathId) -> Response:
        """Give up a place or leave the waitlist; the first person waiting gets the place."""
        async def action(me: CurrentUser) -> None:
            await events_service.unregister(db, me.id, event_id)
        return await self._change(request, viewer, db, event_id, action, "left")

    @post("/{event_id:uuid}/cancel", status_code=303)
    async def cancel(self, request: Request, viewer: Viewer, db: DB, event_id: PathId) -> Response:
        """Cancel the event and every registration (admins, coordinators); needs the confirmation box."""
        viewer = signed_in(request, viewer)
        fields = await form_fields(request)
        if fields.get("confirm") != "yes":
            return await self._page(request, viewer, db, event_id, status_code=422,
                                    problem="Tick the box to confirm that the event should be cancelled.")
        try:
            async with db.transaction():
                await events_service.cancel_event(db, viewer.id, event_id)
        except DomainError as exc:
            return await self._page(request, viewer, db, event_id, problem=exc.detail, status_code=exc.status)
        return Redirect(f"/events/{event_id}?done=cancelled", status_code=303)


CONTROLLERS: list[Any] = [EventPages]
