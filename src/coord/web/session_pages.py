"""The session page: when and where, RSVPs (counts only for participants), and for
facilitators the roster, attendance taken in a few taps, moving and cancelling."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from coord.i18n import N_, ngettext
from coord.i18n import gettext as _
from coord.kernel.access import CurrentUser
from coord.kernel.params import DB, PathId
from coord.sessions import participation
from coord.sessions import service as sessions_service
from coord.sessions.schemas import AttendanceIn, AttendanceRecordIn, CancelIn, RsvpIn
from coord.views import session_page
from coord.web.forms import FormInvalid, Refusal, submit, to_struct
from coord.web.render import flag_notice, page
from coord.web.session import Viewer, signed_in

# The labels are the template's, in the reader's language.
ATTENDANCE_CHOICES = (("present", "Present"), ("absent", "Absent"), ("excused", "Excused"))
STATUS_PREFIX = "status-"


RSVP_NOTICES = {
    "going": N_("You are going. Thank you for letting the facilitators know."),
    "not_going": N_("You are not going. Thank you for letting the facilitators know."),
}
NOTICES = {
    "moved": N_("The session was moved. Everyone in the group gets the new time."),
    "cancelled": N_("The session was cancelled. Everyone in the group is told."),
    "facilitating": N_("You are now a facilitator of this session."),
}


def _notice(request: Request) -> str | None:
    query = request.query_params
    rsvp = query.get("rsvp")
    if rsvp in RSVP_NOTICES:
        return _(RSVP_NOTICES[rsvp])
    saved = query.get("attendance")
    if saved and saved.isdigit():
        return ngettext("Attendance saved for %(num)s person.", "Attendance saved for %(num)s people.",
                        int(saved)) % {"num": saved}
    said = flag_notice(request, NOTICES)
    return _(said) if said else None


async def _session_page(request: Request, viewer: CurrentUser, db: DB, session_id: UUID, *,
                        problem: str | None = None, errors: dict[str, str] | None = None,
                        values: dict[str, Any] | None = None, status_code: int = 200) -> Template:
    view = await session_page.session_view(db, viewer.id, session_id)
    s = view.session
    return page(
        request, "session.html", viewer=viewer, title=_("%(group)s: session") % {"group": s.group_name}, crisis_line=view.org.crisis_resources,
        status_code=status_code, view=view, s=s, notice=None if problem else _notice(request), problem=problem,
        errors=errors or {}, values=values or {}, choices=ATTENDANCE_CHOICES,
        minutes=int((s.ends_at - s.starts_at).total_seconds() // 60),
    )


def _attendance(fields: dict[str, Any]) -> AttendanceIn:
    records = []
    for key, value in fields.items():
        if not key.startswith(STATUS_PREFIX):
            continue
        try:
            records.append(AttendanceRecordIn(UUID(key.removeprefix(STATUS_PREFIX)), value))
        except ValueError:
            raise FormInvalid({"form": _("The form has a field this page did not send. Reload it and try again.")},
                              "unknown field") from None
    if not records:
        raise FormInvalid({"form": _("Choose Present, Absent or Excused for at least one person.")}, "nothing chosen")
    return to_struct({"records": [{"user_id": str(r.user_id), "status": r.status} for r in records]}, AttendanceIn)


class SessionPages(Controller):
    path = "/sessions/{session_id:uuid}"

    @get("", name="session-page")
    async def session(self, request: Request, viewer: Viewer, db: DB, session_id: PathId) -> Template:
        """One session for its reader: counts for participants, the roster and attendance for facilitators."""
        return await _session_page(request, signed_in(request, viewer), db, session_id)

    async def _act(self, request: Request, viewer: CurrentUser | None, db: DB, session_id: UUID, action: Any,
                   done: str) -> Response:
        """Run `action(viewer, fields)` in a savepoint; back to the page with `done`, or the page saying why not."""
        async def again(me: CurrentUser, fields: dict[str, Any], refusal: Refusal) -> Template:
            return await _session_page(request, me, db, session_id, problem=refusal.problem, errors=refusal.errors,
                                       values=fields, status_code=refusal.status)

        return await submit(request, viewer, db, action, again=again,
                            done=lambda outcome: f"/sessions/{session_id}?{done.format(outcome=outcome)}")

    @post("/rsvp", status_code=303)
    async def rsvp(self, request: Request, viewer: Viewer, db: DB, session_id: PathId) -> Response:
        """Going or not going (active members of the group)."""
        async def answer(me: CurrentUser, fields: dict[str, Any]) -> str:
            if fields.get("response") not in ("going", "not_going"):
                raise FormInvalid({"form": _("Choose Going or Not going.")}, "response")
            return (await participation.rsvp(db, me.id, session_id, to_struct(fields, RsvpIn))).response
        return await self._act(request, viewer, db, session_id, answer, "rsvp={outcome}")

    @post("/attendance", status_code=303)
    async def attendance(self, request: Request, viewer: Viewer, db: DB, session_id: PathId) -> Response:
        """Record present / absent / excused for each person chosen (the session's facilitators and staff)."""
        async def record(me: CurrentUser, fields: dict[str, Any]) -> int:
            data = _attendance(fields)
            await participation.record_attendance(db, me.id, session_id, data)
            return len(data.records)
        return await self._act(request, viewer, db, session_id, record, "attendance={outcome}")

    @post("/move", status_code=303)
    async def move(self, request: Request, viewer: Viewer, db: DB, session_id: PathId) -> Response:
        """Move this one occurrence to a new start (read in the series' timezone); it keeps its length."""
        async def move(me: CurrentUser, fields: dict[str, Any]) -> int:
            await sessions_service.move_to_local(db, me.id, session_id, fields.get("starts_at"))
            return 1
        return await self._act(request, viewer, db, session_id, move, "moved={outcome}")

    @post("/cancel", status_code=303)
    async def cancel(self, request: Request, viewer: Viewer, db: DB, session_id: PathId) -> Response:
        """Cancel this one occurrence, with an optional reason shown to the group."""
        async def cancel(me: CurrentUser, fields: dict[str, Any]) -> int:
            if not fields.get("confirm"):
                raise FormInvalid({"confirm": _("Tick the box to confirm that the session is cancelled for everyone.")},
                                  "confirm")
            data = to_struct({"reason": fields["reason"]} if fields.get("reason") else {}, CancelIn)
            await sessions_service.cancel_session(db, me.id, session_id, data)
            return 1
        return await self._act(request, viewer, db, session_id, cancel, "cancelled={outcome}")

    @post("/facilitate", status_code=303)
    async def facilitate(self, request: Request, viewer: Viewer, db: DB, session_id: PathId) -> Response:
        """A facilitator of the group takes this session (fills a coverage gap)."""
        async def take(me: CurrentUser, fields: dict[str, Any]) -> int:
            await sessions_service.volunteer(db, me.id, session_id)
            return 1
        return await self._act(request, viewer, db, session_id, take, "facilitating={outcome}")


CONTROLLERS: list[Any] = [SessionPages]
