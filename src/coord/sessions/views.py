"""Sessions as their pages show them: one session for one reader, "my groups" and
"my coverage gaps". Runs inside the caller's transaction.

A session's participants are health data: the roster (names, RSVPs) is for staff
and the group's facilitators, attendance for staff and the session's own
facilitators (as participation.py rules), and each read is audited. Everyone
else sees counts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from coord.kernel import clock
from coord.kernel.errors import Forbidden, Unprocessable
from coord.groups import queries as group_queries
from coord.groups.service import GroupAccess, audit
from coord.orgs.directory import PublicOrg
from coord.sessions import queries
from coord.sessions.schemas import FacilitatorsIn, SessionDetailOut, SessionOut, SessionPatch
from coord.sessions.service import get_session, load_session, move_session, set_facilitators

ROSTER_LIMIT = 500
UTC = timezone.utc


@dataclass(frozen=True)
class RosterPerson:
    user_id: UUID
    display_name: str
    member_status: str | None  # active / pending, or None when no longer in the group
    rsvp: str | None
    attendance: str | None  # only filled for people who take attendance


@dataclass(frozen=True)
class SessionView:
    session: SessionDetailOut
    viewer_id: UUID
    org: PublicOrg
    timezone: str  # the series' timezone (the group's for a single session): moves are read in it
    facilitators: list[str]
    going: int
    not_going: int
    my_role: str | None
    my_status: str | None
    can_manage: bool  # staff and the group's facilitators: roster, move, cancel
    can_take_attendance: bool  # staff and the session's own facilitators
    roster: list[RosterPerson] = field(default_factory=list)
    roster_truncated: bool = False
    now: datetime = field(default_factory=clock.now)

    @property
    def upcoming(self) -> bool:
        return self.session.status == "scheduled" and self.session.starts_at > self.now

    @property
    def started(self) -> bool:
        return self.session.starts_at <= self.now

    @property
    def can_rsvp(self) -> bool:
        return self.my_status == "active" and self.upcoming

    @property
    def can_volunteer(self) -> bool:
        """An active facilitator of the group, not yet assigned to this upcoming session."""
        return self.my_role == "facilitator" and self.my_status == "active" and self.upcoming \
            and self.viewer_id not in self.session.facilitator_ids

    @property
    def attendance_open(self) -> bool:
        return self.can_take_attendance and self.started and self.session.status != "cancelled"


async def _timezone(conn: asyncpg.Connection, row: asyncpg.Record, access: GroupAccess) -> str:
    """The series' timezone, or the group's for a session outside any series."""
    if row["series_id"] is not None:
        return await conn.fetchval(queries.SERIES_TIMEZONE, row["series_id"]) or access.group.timezone
    return access.group.timezone


async def session_view(conn: asyncpg.Connection, actor_id: UUID, session_id: UUID) -> SessionView:
    """The session for one reader; 404 when they may not see its group (as get_session)."""
    detail = await get_session(conn, actor_id, session_id)
    row, access = await load_session(conn, session_id, actor_id)
    group = access.group
    org = PublicOrg(**dict(await conn.fetchrow(group_queries.GROUP_ORG, group.org_id)))
    tz = await _timezone(conn, row, access)
    names = [r["display_name"] for r in await conn.fetch(queries.USER_NAMES, detail.facilitator_ids)]
    counts = await conn.fetchrow(queries.RSVP_COUNTS, session_id)
    can_attend = access.is_staff or actor_id in detail.facilitator_ids
    roster: list[RosterPerson] = []
    truncated = False
    if access.can_manage or can_attend:
        rows = await conn.fetch(queries.SESSION_ROSTER, group.id, session_id, ROSTER_LIMIT + 1)
        truncated = len(rows) > ROSTER_LIMIT
        roster = [
            RosterPerson(r["user_id"], r["display_name"], r["member_status"], r["rsvp"],
                         r["attendance"] if can_attend else None)
            for r in rows[:ROSTER_LIMIT]
        ]
        await audit(conn, group.org_id, actor_id, "group.roster_read", "group", group.id,
                    {"session_id": str(session_id)})
        if can_attend:
            await audit(conn, group.org_id, actor_id, "attendance.read", "session", session_id)
    return SessionView(
        session=detail, viewer_id=actor_id, org=org, timezone=tz, facilitators=names, going=counts["going"],
        not_going=counts["not_going"], my_role=access.role, my_status=access.status,
        can_manage=access.can_manage, can_take_attendance=can_attend, roster=roster,
        roster_truncated=truncated,
    )


async def volunteer(conn: asyncpg.Connection, actor_id: UUID, session_id: UUID) -> SessionOut:
    """A facilitator of the group adds themselves to the session's facilitators."""
    current = await get_session(conn, actor_id, session_id)
    wanted = list(current.facilitator_ids)
    if actor_id not in wanted:
        wanted.append(actor_id)
    return await set_facilitators(conn, actor_id, session_id, FacilitatorsIn(user_ids=list(wanted)))


def local_instant(value: str | None, tz: str, field_name: str) -> datetime:
    """An <input type=datetime-local> value read as wall-clock time in `tz`."""
    if not value:
        raise Unprocessable("enter a date and time", field=field_name)
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        raise Unprocessable("enter a date and time like 2026-03-10T18:30", field=field_name) from None
    if local.tzinfo is not None:
        raise Unprocessable("enter a local date and time without a UTC offset", field=field_name)
    zone = ZoneInfo(tz)
    instant = local.replace(tzinfo=zone, fold=0)
    if instant.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
        raise Unprocessable(f"{local:%H:%M} on {local:%Y-%m-%d} does not exist in {tz} (the clocks jump forward)",
                            field=field_name)
    return instant.astimezone(UTC)


class MyGroup(msgspec.Struct):
    id: UUID
    name: str
    org_name: str
    org_slug: str
    role: str
    status: str
    next_session_id: UUID | None
    next_starts_at: datetime | None
    next_ends_at: datetime | None


class MyGap(msgspec.Struct):
    session_id: UUID
    group_id: UUID
    group_name: str
    starts_at: datetime
    ends_at: datetime
    required: int
    assigned: int

    @property
    def missing(self) -> int:
        return self.required - self.assigned


async def my_groups(conn: asyncpg.Connection, user_id: UUID, limit: int = 200) -> list[MyGroup]:
    """The groups the person belongs to or asked to join, with each one's next session."""
    return [MyGroup(**dict(r)) for r in await conn.fetch(queries.MY_GROUPS, user_id, limit, clock.now())]


async def my_coverage_gaps(
    conn: asyncpg.Connection, user_id: UUID, *, weeks: int = 8, limit: int = 50, now: datetime | None = None
) -> list[MyGap]:
    """Upcoming sessions of the groups the person facilitates that still need facilitators."""
    start = now or clock.now()
    until = start + timedelta(weeks=weeks)
    return [MyGap(**dict(r)) for r in await conn.fetch(queries.MY_COVERAGE_GAPS, user_id, start, until, limit)]


async def move_to_local(
    conn: asyncpg.Connection, actor_id: UUID, session_id: UUID, local_start: str | None
) -> SessionOut:
    """Move one occurrence to a new wall-clock start in its series' timezone (the
    group's for a single session), keeping its length; see service.move_session."""
    row, access = await load_session(conn, session_id, actor_id)  # another organization's session: 404
    if not access.can_manage:
        raise Forbidden("this needs a coordinator, an admin or one of the group's facilitators")
    tz = await _timezone(conn, row, access)
    starts_at = local_instant(local_start, tz, "starts_at")
    return await move_session(conn, actor_id, session_id, SessionPatch(starts_at=starts_at))
