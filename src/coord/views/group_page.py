"""One group as its page shows it, to anyone allowed to see it.

Public and unlisted groups can be seen by anyone, signed in or not (unlisted ones
only by their link: they are never listed); a private group only by its members and
the organization's staff; to everyone else it does not exist (404). What each reader
gets beyond the description follows the group rules of groups.service: the roster
and pending requests for staff and the group's facilitators, and where the group
meets for them and for active members (the exact address or link stays on each
session, for people who said they are going). The coverage gaps on the page come
from views.coverage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from coord.groups.schemas import GroupMemberOut, GroupOut
from coord.groups.service import GroupAccess, list_members, load_group, public_group
from coord.kernel import clock
from coord.i18n import gettext as _
from coord.kernel.errors import Forbidden, NotFound
from coord.orgs.schemas import PublicOrg
from coord.orgs.service import public_org
from coord.sessions.schemas import VenueDetails
from coord.views import queries

ROSTER_LIMIT = 200


class GroupSession(msgspec.Struct):
    id: UUID
    starts_at: datetime
    ends_at: datetime
    status: str


@dataclass(frozen=True)
class GroupView:
    group: GroupOut  # my_role / my_status are the reader's own membership
    org: PublicOrg
    access: GroupAccess | None  # None: not signed in, or not a member of the organization
    upcoming: list[GroupSession]
    venue: VenueDetails | None = None  # staff and facilitators: all of it; active members: no address or link
    recent: list[GroupSession] = field(default_factory=list)  # managers: sessions that have begun
    members: list[GroupMemberOut] = field(default_factory=list)  # managers only
    members_truncated: bool = False
    active_count: int = 0
    pending_count: int = 0

    @property
    def can_manage(self) -> bool:
        return self.access is not None and self.access.can_manage

    @property
    def can_join(self) -> bool:
        """A member of the organization who is not in the group yet."""
        return self.access is not None and self.access.role is None

    @property
    def pending(self) -> list[GroupMemberOut]:
        return [m for m in self.members if m.status == "pending"]

    @property
    def active(self) -> list[GroupMemberOut]:
        return [m for m in self.members if m.status == "active"]


async def group_view(
    conn: asyncpg.Connection, group_id: UUID, viewer_id: UUID | None, *, upcoming: int = 10
) -> GroupView:
    """The group for `viewer_id` (None: not signed in); 404 when they may not see it."""
    access: GroupAccess | None = None
    if viewer_id is not None:
        try:
            access = await load_group(conn, group_id, viewer_id)
        except NotFound:
            access = None  # not in the organization: they see what the public sees
    group = access.group if access is not None else await public_group(conn, group_id)
    org = await public_org(conn, group.org_id)
    now = clock.now()
    rows = await conn.fetch(queries.UPCOMING_GROUP_SESSIONS, group_id, upcoming, now)
    sessions = [GroupSession(**dict(r)) for r in rows]
    view = GroupView(group=group, org=org, access=access, upcoming=sessions)
    if access is None or not (access.can_manage or access.is_active_member):
        return view
    venue = None
    if group.venue_id is not None:
        row = await conn.fetchrow(queries.VENUE, group.venue_id)
        if row is not None:
            venue = VenueDetails(**dict(row))
            if not access.can_manage:
                venue = msgspec.structs.replace(venue, address=None, meeting_url=None)
    if not access.can_manage:
        return GroupView(group=group, org=org, access=access, upcoming=sessions, venue=venue)
    assert viewer_id is not None  # access came from their own membership
    counts = await conn.fetchrow(queries.GROUP_MEMBER_TOTALS, group_id)
    roster = await list_members(conn, viewer_id, group_id, None, ROSTER_LIMIT, None)  # audited
    recent = [GroupSession(**dict(r)) for r in await conn.fetch(queries.RECENT_GROUP_SESSIONS, group_id, 5, now)]
    return GroupView(
        group=group, org=org, access=access, upcoming=sessions, venue=venue, recent=recent,
        members=sorted(roster.items, key=lambda m: ((m.display_name or "").lower(), str(m.user_id))),
        members_truncated=roster.next_cursor is not None,
        active_count=counts["active"], pending_count=counts["pending"],
    )


FACILITATING_ROLES = frozenset(("admin", "coordinator", "facilitator"))  # groups.service.FACILITATING_ORG_ROLES


class Candidate(msgspec.Struct):
    """A member of the organization a coordinator may add to the group."""

    user_id: UUID
    display_name: str
    roles: list[str]

    @property
    def can_facilitate(self) -> bool:
        return bool(FACILITATING_ROLES.intersection(self.roles))


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def people_to_add(
    conn: asyncpg.Connection, view: GroupView, name: str | None, limit: int = 50
) -> list[Candidate]:
    """The organization's members not in the group yet whose name contains `name` (staff only;
    adding someone who asked to join approves them)."""
    if view.access is None or not view.access.is_staff:
        raise Forbidden(_("only coordinators and admins add people to a group"))
    pattern = _like(name.strip()) if name and name.strip() else None
    rows = await conn.fetch(queries.PEOPLE_TO_ADD, view.group.org_id, view.group.id, pattern, limit)
    return [Candidate(r["user_id"], r["display_name"] or "", list(r["roles"])) for r in rows]


class ArchivePreview(msgspec.Struct):
    """What archiving the group will do, for the page that asks to confirm it."""

    group: GroupOut
    org: PublicOrg
    sessions_ahead: int  # scheduled sessions still to start: cancelled
    members: int  # active members: told
    pending: int  # people waiting for an answer: told their request goes no further


async def archive_preview(conn: asyncpg.Connection, viewer_id: UUID, group_id: UUID) -> ArchivePreview:
    access = await load_group(conn, group_id, viewer_id)
    if not access.is_staff:
        raise Forbidden(_("only coordinators and admins archive a group"))
    counts = await conn.fetchrow(queries.GROUP_MEMBER_TOTALS, group_id)
    ahead = await conn.fetchval(queries.SESSIONS_AHEAD, group_id, clock.now())
    return ArchivePreview(access.group, await public_org(conn, access.group.org_id), ahead, counts["active"],
                          counts["pending"])
