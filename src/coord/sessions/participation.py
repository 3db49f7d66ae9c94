"""RSVPs and attendance of sessions. Runs inside the caller's transaction.

Attendance is health data: only the group's facilitators (whoever actually ran the
session, assigned to it or not), the session's own and staff record or read it, every
read and write is audited, and events carry no statuses.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from coord.kernel import clock
from coord.i18n import gettext as _
from coord.kernel.errors import Conflict, Forbidden, Unprocessable
from coord.groups.service import GroupAccess, audit
from coord.outbox.domain_events import AttendanceRecorded, RsvpRecorded
from coord.outbox.record import record
from coord.sessions import queries
from coord.sessions.schemas import AttendanceIn, AttendanceOut, AttendanceRecordOut, RsvpIn, RsvpOut
from coord.sessions.service import load_session


async def rsvp(conn: asyncpg.Connection, actor_id: UUID, session_id: UUID, data: RsvpIn) -> RsvpOut:
    """Going or not going, for active members of the group; `going` respects the group's capacity."""
    # The session row lock serializes RSVPs of one session, so the count below cannot be raced past.
    row, access = await load_session(conn, session_id, actor_id, lock=True)
    if not access.is_active_member:
        raise Forbidden(_("only active members of the group can RSVP"))
    if row["status"] != "scheduled":
        said = {"cancelled": _("this session is cancelled"), "completed": _("this session is completed")}
        raise Conflict(said.get(row["status"]) or f"this session is {row['status']}")
    if row["starts_at"] <= clock.now():
        raise Conflict(_("this session has already started"))
    capacity = access.group.capacity
    if data.response == "going" and capacity is not None:
        if await conn.fetchval(queries.GOING_OTHERS, session_id, actor_id) >= capacity:
            raise Conflict(_("this session is full (%(num)s places)") % {"num": capacity})
    previous = await conn.fetchval(queries.MY_RSVP, session_id, actor_id)
    if previous != data.response:
        await conn.execute(queries.UPSERT_RSVP, session_id, actor_id, data.response)
        await record(conn, RsvpRecorded(session_id=session_id, user_id=actor_id))
    going = await conn.fetchval(queries.GOING_COUNT, session_id)
    return RsvpOut(session_id, actor_id, data.response, going, capacity)


async def _require_attendance_access(
    conn: asyncpg.Connection, actor_id: UUID, session_id: UUID, *, lock: bool = False
) -> tuple[asyncpg.Record, GroupAccess]:
    row, access = await load_session(conn, session_id, actor_id, lock=lock)
    if access.is_staff or access.is_facilitator:  # any facilitator of the group: whoever actually ran it
        return row, access
    assigned = {r["user_id"] for r in await conn.fetch(queries.SESSION_FACILITATORS, session_id)}
    if actor_id not in assigned:
        raise Forbidden(_("attendance is for the group's facilitators, coordinators and admins"))
    return row, access


async def _sheet(conn: asyncpg.Connection, session_id: UUID, status: str) -> AttendanceOut:
    rows = await conn.fetch(queries.LIST_ATTENDANCE, session_id)
    return AttendanceOut(session_id, status, [AttendanceRecordOut(**dict(r)) for r in rows])


async def record_attendance(
    conn: asyncpg.Connection, actor_id: UUID, session_id: UUID, data: AttendanceIn
) -> AttendanceOut:
    """Record (or correct) who was present, absent or excused; the session becomes completed."""
    row, access = await _require_attendance_access(conn, actor_id, session_id, lock=True)
    if row["status"] == "cancelled":
        raise Conflict(_("this session was cancelled"))
    if row["starts_at"] > clock.now():
        raise Conflict(_("attendance can be taken once the session has started"))
    user_ids = [r.user_id for r in data.records]
    if len(set(user_ids)) != len(user_ids):
        raise Unprocessable(_("each person may appear only once"), field="records")
    known = {r["user_id"] for r in await conn.fetch(queries.ATTENDABLE, row["group_id"], session_id, user_ids)}
    strangers = [str(u) for u in user_ids if u not in known]
    if strangers:
        raise Unprocessable(_("not members of this group: %(names)s") % {"names": ", ".join(strangers)}, field="records")
    await conn.execute(
        queries.UPSERT_ATTENDANCE, session_id, user_ids, [r.status for r in data.records], actor_id
    )
    await conn.execute(queries.COMPLETE_SESSION, session_id)
    await record(conn, AttendanceRecorded(session_id=session_id))
    await audit(conn, access.group.org_id, actor_id, "attendance.recorded", "session", session_id,
                {"records": len(user_ids)})
    return await _sheet(conn, session_id, "completed")


async def read_attendance(conn: asyncpg.Connection, actor_id: UUID, session_id: UUID) -> AttendanceOut:
    row, access = await _require_attendance_access(conn, actor_id, session_id)
    await audit(conn, access.group.org_id, actor_id, "attendance.read", "session", session_id)
    return await _sheet(conn, session_id, row["status"])
