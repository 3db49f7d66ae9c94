"""One session as its page shows it, for one reader. Runs inside the caller's transaction.

A session's participants are health data: the roster (names, RSVPs) is for staff
and the group's facilitators, attendance for them and the session's own
facilitators (as sessions.participation rules), and each read is audited. Everyone
else sees counts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import asyncpg

from coord.kernel import clock
from coord.kernel.audit import audit
from coord.orgs.schemas import PublicOrg
from coord.orgs.service import public_org
from coord.sessions.schemas import SessionDetailOut
from coord.sessions.service import get_session, load_session, session_timezone
from coord.views import queries

ROSTER_LIMIT = 500


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
    can_take_attendance: bool  # staff, the group's facilitators and the session's own
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


async def session_view(conn: asyncpg.Connection, actor_id: UUID, session_id: UUID) -> SessionView:
    """The session for one reader; 404 when they may not see its group (as get_session)."""
    detail = await get_session(conn, actor_id, session_id)
    row, access = await load_session(conn, session_id, actor_id)
    group = access.group
    org = await public_org(conn, group.org_id)
    tz = await session_timezone(conn, row, access)
    names = [r["display_name"] for r in await conn.fetch(queries.USER_NAMES, detail.facilitator_ids)]
    counts = await conn.fetchrow(queries.RSVP_COUNTS, session_id)
    can_attend = access.is_staff or access.is_facilitator or actor_id in detail.facilitator_ids
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
