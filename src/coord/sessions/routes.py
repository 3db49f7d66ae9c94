"""HTTP routes of series, sessions, RSVPs and attendance; CONTROLLERS is what the plugin mounts under /api/v1."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Router, get, patch, post, put

from coord.groups.schemas import GroupOut, GroupPatch
from coord.kernel.params import DB, AuthedRequest, Body, Paging, PathId, TimeWindow
from coord.kernel.pagination import Page
from coord.sessions import archive, participation, series_edit, series_staff, service
from coord.sessions.schemas import (
    AttendanceIn,
    AttendanceOut,
    CancelIn,
    FacilitatorsIn,
    RsvpIn,
    RsvpOut,
    SeriesEditIn,
    SeriesEndIn,
    SeriesEndOut,
    SeriesFacilitatorsOut,
    SeriesIn,
    SeriesOut,
    SessionDetailOut,
    SessionOut,
    SessionPatch,
)



class GroupScheduleController(Controller):
    path = "/groups/{group_id:uuid}"

    @patch("", operation_id="updateGroup", tags=["groups"])
    async def update_group(self, request: AuthedRequest, group_id: PathId, data: Body[GroupPatch], db: DB) -> GroupOut:
        """Change a group (coordinators, admins): any field of createGroup; null clears an optional one.

        `archived: true` archives it: its series end now and its sessions still ahead are cancelled
        (calendars get the cancellation), its members are told, it takes no new sessions or members and
        is listed to its staff only; its history stays. `archived: false` reopens it.
        """
        return await archive.update_group(db, request.user.id, group_id, data)

    @post("/series", operation_id="createSeries", status_code=201)
    async def create_series(self, request: AuthedRequest, group_id: PathId, data: Body[SeriesIn], db: DB) -> SeriesOut:
        """Schedule recurring sessions from a local wall-clock start, an IANA timezone and an RRULE.

        Sessions are created up to the rolling horizon (26 weeks) and keep their local time across DST
        (staff and the group's facilitators).
        """
        return await service.create_series(db, request.user.id, group_id, data)

    @get("/sessions", operation_id="listGroupSessions")
    async def list_sessions(
        self, request: AuthedRequest, group_id: PathId, db: DB, window: TimeWindow, page: Paging
    ) -> Page[SessionOut]:
        """The group's sessions overlapping [from, to), in start order, cancelled ones included."""
        return await service.list_sessions(
            db, request.user.id, group_id, window.from_, window.to, page.limit, page.cursor
        )


class SessionController(Controller):
    path = "/sessions/{session_id:uuid}"

    @get("", operation_id="getSession")
    async def get_session(self, request: AuthedRequest, session_id: PathId, db: DB) -> SessionDetailOut:
        """One session; the venue's address or link only for people confirmed for it."""
        return await service.get_session(db, request.user.id, session_id)

    @patch("", operation_id="moveSession")
    async def move(self, request: AuthedRequest, session_id: PathId, data: Body[SessionPatch], db: DB) -> SessionOut:
        """Move one occurrence or change its venue; it keeps its RECURRENCE-ID and its sequence goes up."""
        return await service.move_session(db, request.user.id, session_id, data)

    @post("/cancel", operation_id="cancelSession", status_code=200)
    async def cancel(
        self, request: AuthedRequest, session_id: PathId, db: DB, data: Body[CancelIn | None] = None
    ) -> SessionOut:
        """Cancel one occurrence (staff and the group's facilitators); cancelling again changes nothing."""
        return await service.cancel_session(db, request.user.id, session_id, data or CancelIn())

    @put("/facilitators", operation_id="setSessionFacilitators")
    async def set_facilitators(
        self, request: AuthedRequest, session_id: PathId, data: Body[FacilitatorsIn], db: DB
    ) -> SessionOut:
        """Replace this one session's facilitators; each must be an active facilitator of the group.

        The session keeps them when the series' own facilitators change later (PUT /series/{id}/facilitators).
        """
        return await service.set_facilitators(db, request.user.id, session_id, data)

    @post("/this-and-following", operation_id="editSeriesFromSession", status_code=201)
    async def edit_following(
        self, request: AuthedRequest, session_id: PathId, data: Body[SeriesEditIn], db: DB
    ) -> SeriesOut:
        """Change this and all following occurrences: the series is split here and a new one created.

        The old occurrences from here on are cancelled; the new series keeps this session's facilitators.
        """
        return await series_edit.edit_following(db, request.user.id, session_id, data)

    @post("/rsvp", operation_id="rsvpSession", status_code=200)
    async def rsvp(self, request: AuthedRequest, session_id: PathId, data: Body[RsvpIn], db: DB) -> RsvpOut:
        """Say whether you are going (active group members); `going` is refused when the session is full."""
        return await participation.rsvp(db, request.user.id, session_id, data)

    @put("/attendance", operation_id="recordAttendance")
    async def record_attendance(
        self, request: AuthedRequest, session_id: PathId, data: Body[AttendanceIn], db: DB
    ) -> AttendanceOut:
        """Record present / absent / excused (the group's facilitators, whoever ran it, coordinators, admins; audited)."""
        return await participation.record_attendance(db, request.user.id, session_id, data)

    @get("/attendance", operation_id="getAttendance")
    async def read_attendance(self, request: AuthedRequest, session_id: PathId, db: DB) -> AttendanceOut:
        """The attendance sheet (the group's facilitators, the session's own, coordinators, admins; audited)."""
        return await participation.read_attendance(db, request.user.id, session_id)


class SeriesController(Controller):
    path = "/series/{series_id:uuid}"

    @post("/end", operation_id="endSeries", status_code=200)
    async def end(
        self, request: AuthedRequest, series_id: PathId, db: DB, data: Body[SeriesEndIn | None] = None
    ) -> SeriesEndOut:
        """End a series (staff and the group's facilitators): sessions after `after` (default now) are cancelled."""
        return await series_edit.end_series(db, request.user.id, series_id, data or SeriesEndIn())

    @put("/facilitators", operation_id="setSeriesFacilitators")
    async def set_facilitators(
        self, request: AuthedRequest, series_id: PathId, data: Body[FacilitatorsIn], db: DB
    ) -> SeriesFacilitatorsOut:
        """Replace the series' own facilitators (staff and the group's facilitators; each must be an
        active facilitator of the group).

        Every session of the series not over yet gets them, and so do the sessions the rolling horizon
        adds later; a session given facilitators of its own (PUT /sessions/{id}/facilitators) keeps them.
        """
        return await series_staff.set_series_facilitators(db, request.user.id, series_id, data)


# One router for the domain: its tag is declared once, for every controller in it.
CONTROLLERS: list[Any] = [
    Router("/", tags=["sessions"], route_handlers=[GroupScheduleController, SessionController, SeriesController]),
]
