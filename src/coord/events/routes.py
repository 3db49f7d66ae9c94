"""HTTP routes of this domain; CONTROLLERS is what the plugin mounts under /api/v1."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Router, delete, get, patch, post

from coord.events import roster, service
from coord.events.schemas import EventIn, EventOut, EventPatch, RegistrationOut, RegistrationRosterOut
from coord.kernel.params import DB, AuthedRequest, Body, LanguageFilter, Paging, PathId, TimeWindow
from coord.kernel.pagination import Page



class OrgEventController(Controller):
    path = "/orgs/{org_id:uuid}/events"

    @post("", operation_id="createEvent", status_code=201)
    async def create(self, request: AuthedRequest, org_id: PathId, data: Body[EventIn], db: DB) -> EventOut:
        """Schedule a community event (admins, coordinators). capacity null means unlimited."""
        return await service.create_event(db, request.user.id, org_id, data)

    @get("", operation_id="listEvents")
    async def list_events(
        self, request: AuthedRequest, org_id: PathId, db: DB, window: TimeWindow, page: Paging,
        language: LanguageFilter = None,
    ) -> Page[EventOut]:
        """The organization's events that are not cancelled, by start time, with counts (members).
        `?language=es`: only those held in Spanish."""
        return await service.list_events(db, request.user.id, org_id, window.from_, window.to, page.limit,
                                          page.cursor, language)


class EventController(Controller):
    path = "/events/{event_id:uuid}"

    @get("", operation_id="getEvent")
    async def get_event(self, request: AuthedRequest, event_id: PathId, db: DB) -> EventOut:
        """One event with its counts (members of its organization; anyone for a public event)."""
        return await service.get_event(db, request.user.id, event_id)

    @patch("", operation_id="updateEvent")
    async def update(self, request: AuthedRequest, event_id: PathId, data: Body[EventPatch], db: DB) -> EventOut:
        """Change an event (admins, coordinators). A new time, place or title raises `sequence`
        and sends everyone confirmed an updated invite. More capacity promotes the waitlist in
        order; less never removes anyone already confirmed."""
        return await service.update_event(db, request.user.id, event_id, data)

    @post("/cancel", operation_id="cancelEvent", status_code=200)
    async def cancel(self, request: AuthedRequest, event_id: PathId, db: DB) -> EventOut:
        """Cancel the event and every registration (admins, coordinators)."""
        return await service.cancel_event(db, request.user.id, event_id)

    @post("/registrations", operation_id="registerForEvent", status_code=201)
    async def register(self, request: AuthedRequest, event_id: PathId, db: DB) -> RegistrationOut:
        """Register yourself: a place if one is free, else the waitlist with your position.

        409 when already registered, outside the registration window, or the event is cancelled."""
        return await service.register(db, request.user.id, event_id)

    @get("/registrations", operation_id="listEventRegistrations")
    async def registrations(
        self, request: AuthedRequest, event_id: PathId, db: DB, page: Paging
    ) -> Page[RegistrationRosterOut]:
        """Who holds a place or waits, with names, in registration order (admins, coordinators;
        every read is in the audit log)."""
        return await roster.list_registrations(db, request.user.id, event_id, page.limit, page.cursor)

    @get("/registrations/me", operation_id="getMyRegistration")
    async def my_registration(self, request: AuthedRequest, event_id: PathId, db: DB) -> RegistrationOut:
        """Your registration for this event, with your waitlist position."""
        return await service.my_registration(db, request.user.id, event_id)

    @delete("/registrations/me", operation_id="cancelMyRegistration", status_code=204)
    async def unregister(self, request: AuthedRequest, event_id: PathId, db: DB) -> None:
        """Cancel your registration; the first waitlisted person is promoted."""
        await service.unregister(db, request.user.id, event_id)


# One router for the domain: its tag is declared once, for every controller in it.
CONTROLLERS: list[Any] = [Router("/", tags=["events"], route_handlers=[OrgEventController, EventController])]
