"""HTTP routes of this domain; CONTROLLERS is what the plugin mounts under /api/v1."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Router, delete, get, patch, post, put
from litestar.params import QueryParameter

from coord.kernel.params import DB, AuthedRequest, Body, Paging, PathId, TimeWindow
from coord.kernel.pagination import Page
from coord.shifts import event_shifts, roster, service, signups, trainings
from coord.shifts.schemas import (
    DuplicateIn,
    EventShiftsIn,
    HoursIn,
    MySignupOut,
    RosterSignupOut,
    ShiftIn,
    ShiftOut,
    ShiftPatch,
    SignupOut,
    TrainingIn,
    TrainingOut,
)



class OrgShiftController(Controller):
    path = "/orgs/{org_id:uuid}/shifts"

    @post("", operation_id="createShift", status_code=201)
    async def create(self, request: AuthedRequest, org_id: PathId, data: Body[ShiftIn], db: DB) -> ShiftOut:
        """Create a volunteer shift (admins, coordinators); event_id/session_id must be this org's."""
        return await service.create_shift(db, request.user.id, org_id, data)

    @get("", operation_id="listShifts")
    async def list_shifts(
        self,
        request: AuthedRequest,
        org_id: PathId,
        db: DB,
        window: TimeWindow,
        page: Paging,
        open: Annotated[bool, QueryParameter(description="only scheduled shifts with a free place")] = False,
    ) -> Page[ShiftOut]:
        """Shifts by start time with confirmed and waitlist counts (members)."""
        return await service.list_shifts(
            db, request.user.id, org_id, window.from_, window.to, open, page.limit, page.cursor
        )


class EventShiftController(Controller):
    path = "/events/{event_id:uuid}/shifts"

    @post("", operation_id="createEventShifts", status_code=201)
    async def create(self, request: AuthedRequest, event_id: PathId, data: Body[EventShiftsIn], db: DB) -> list[ShiftOut]:
        """Create several shifts of an event at once (admins, coordinators): all of them, or
        none with a 422 giving each refused row's reason (`shifts[i].field`)."""
        return await event_shifts.create_event_shifts(db, request.user.id, event_id, data.shifts)

    @get("", operation_id="listEventShifts")
    async def list_shifts(self, request: AuthedRequest, event_id: PathId, db: DB, page: Paging) -> Page[ShiftOut]:
        """The event's shifts by start time with their counts (members of its organization)."""
        return await event_shifts.event_shifts(db, request.user.id, event_id, page.limit, page.cursor)


class ShiftController(Controller):
    path = "/shifts/{shift_id:uuid}"

    @get("", operation_id="getShift")
    async def get_shift(self, request: AuthedRequest, shift_id: PathId, db: DB) -> ShiftOut:
        """One shift with its counts (members of its organization)."""
        return await service.get_shift(db, request.user.id, shift_id)

    @patch("", operation_id="updateShift")
    async def update(self, request: AuthedRequest, shift_id: PathId, data: Body[ShiftPatch], db: DB) -> ShiftOut:
        """Change a shift (admins, coordinators). More capacity promotes the waitlist in order;
        less capacity never removes anyone already confirmed."""
        return await service.update_shift(db, request.user.id, shift_id, data)

    @post("/cancel", operation_id="cancelShift", status_code=200)
    async def cancel(self, request: AuthedRequest, shift_id: PathId, db: DB) -> ShiftOut:
        """Cancel the shift and all its signups (admins, coordinators)."""
        return await service.cancel_shift(db, request.user.id, shift_id)

    @post("/duplicate", operation_id="duplicateShift", status_code=201)
    async def duplicate(
        self, request: AuthedRequest, shift_id: PathId, db: DB, data: Body[DuplicateIn | None] = None
    ) -> ShiftOut:
        """A new shift like this one (role, places, place, description, training, event), starting
        at `starts_at` for as long, or without it the same times the next day (admins, coordinators)."""
        starts_at = data.starts_at if data else None
        return await event_shifts.duplicate_shift(db, request.user.id, shift_id, starts_at)

    @get("/signups", operation_id="listShiftSignups")
    async def list_signups(self, request: AuthedRequest, shift_id: PathId, db: DB, page: Paging) -> Page[RosterSignupOut]:
        """Who holds a place or waits, with names, check-in and hours, in signup order
        (admins, coordinators; every read is in the audit log)."""
        return await roster.list_signups(db, request.user.id, shift_id, page.limit, page.cursor)

    @post("/signups/{signup_id:uuid}/check-in", operation_id="checkInVolunteer", status_code=200)
    async def check_in_volunteer(
        self, request: AuthedRequest, shift_id: PathId, signup_id: PathId, db: DB
    ) -> SignupOut:
        """Check a volunteer with a confirmed place in (admins, coordinators), from an hour
        before the start; repeating it keeps the first time."""
        return await signups.check_in_volunteer(db, request.user.id, shift_id, signup_id)

    @post("/signups", operation_id="signUpForShift", status_code=201)
    async def sign_up(self, request: AuthedRequest, shift_id: PathId, db: DB) -> SignupOut:
        """Sign yourself up: a place if one is free, else the waitlist with your position.

        409 when already signed up, when a confirmed shift of yours overlaps, or when the
        shift is cancelled or has started; 403 naming the training the shift requires."""
        return await signups.sign_up(db, request.user.id, shift_id)

    @get("/signups/me", operation_id="getMyShiftSignup")
    async def my_signup(self, request: AuthedRequest, shift_id: PathId, db: DB) -> SignupOut:
        """Your signup for this shift, with your waitlist position."""
        return await signups.my_signup(db, request.user.id, shift_id)

    @delete("/signups/me", operation_id="cancelMyShiftSignup", status_code=204)
    async def cancel_signup(self, request: AuthedRequest, shift_id: PathId, db: DB) -> None:
        """Give up your place; the first waitlisted person is promoted. Cancelling a confirmed
        place later than the organization's cutoff is allowed but flagged as a late cancel."""
        await signups.cancel_signup(db, request.user.id, shift_id)

    @post("/signups/me/check-in", operation_id="checkInToShift", status_code=200)
    async def check_in(self, request: AuthedRequest, shift_id: PathId, db: DB) -> SignupOut:
        """Check yourself in, from one hour before the start until the end."""
        return await signups.check_in(db, request.user.id, shift_id)

    @put("/signups/{signup_id:uuid}/hours", operation_id="setShiftHours", status_code=200)
    async def set_hours(
        self, request: AuthedRequest, shift_id: PathId, signup_id: PathId, data: Body[HoursIn], db: DB
    ) -> SignupOut:
        """Record the hours a volunteer served (admins, coordinators)."""
        return await signups.set_hours(db, request.user.id, shift_id, signup_id, data.hours)


class MyVolunteeringController(Controller):
    path = "/me"

    @get("/signups", operation_id="listMySignups")
    async def my_signups(self, request: AuthedRequest, db: DB, page: Paging) -> Page[MySignupOut]:
        """Your shift signups with the shifts' times, by start time."""
        return await signups.my_signups(db, request.user.id, page.limit, page.cursor)

    @post("/trainings", operation_id="recordTraining", status_code=201)
    async def record_training(self, request: AuthedRequest, data: Body[TrainingIn], db: DB) -> TrainingOut:
        """Record a training you completed (self-reported until a coordinator verifies it)."""
        return await trainings.record_training(db, request.user.id, data)

    @get("/trainings", operation_id="listMyTrainings")
    async def my_trainings(self, request: AuthedRequest, db: DB, page: Paging) -> Page[TrainingOut]:
        """Your recorded trainings."""
        return await trainings.my_trainings(db, request.user.id, page.limit, page.cursor)


class TrainingController(Controller):
    path = "/trainings"

    @post("/{training_id:uuid}/verify", operation_id="verifyTraining", status_code=200)
    async def verify(self, request: AuthedRequest, training_id: PathId, db: DB) -> TrainingOut:
        """Verify someone's training (a coordinator or admin of an organization they belong to)."""
        return await trainings.verify_training(db, request.user.id, training_id)


# One router for the domain: its tag is declared once, for every controller in it.
CONTROLLERS: list[Any] = [
    Router("/", tags=["shifts"],
           route_handlers=[OrgShiftController, EventShiftController, ShiftController, MyVolunteeringController,
                           TrainingController]),
]
