"""Support groups and their membership. Runs inside the caller's transaction.

Membership of a support group is health data: rosters are for staff and the
group's facilitators, and a private group is invisible (404) to everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable
from uuid import UUID

import asyncpg
import msgspec

from coord.kernel import languages as codes
from coord.kernel import clock
from coord.kernel.access import STAFF, require_member, require_role
from coord.kernel.audit import audit
from coord.auth.gate import require_confirmed_email
from coord.auth.service import check_timezone
from coord.i18n import gettext as _
from coord.kernel.errors import Conflict, Forbidden, NotFound, Unprocessable
from coord.groups import queries
from coord.groups.schemas import GroupIn, GroupMemberIn, GroupMemberOut, GroupOut, GroupPatch, JoinOut
from coord.outbox.domain_events import (
    FacilitatorsChanged,
    GroupArchived,
    GroupChanged,
    GroupCreated,
    GroupMemberDeclined,
    GroupMemberJoined,
    GroupMemberLeft,
    GroupMemberRequested,
)
from coord.outbox.record import record
from coord.kernel.pagination import KeyText, Page, decode_cursor, page_of

FACILITATING_ORG_ROLES = ("admin", "coordinator", "facilitator")


@dataclass(frozen=True)
class GroupAccess:
    """A group as one caller sees it: their org roles and group membership."""

    group: GroupOut
    org_roles: frozenset[str]
    role: str | None  # facilitator / participant, or None
    status: str | None  # active / pending, or None

    @property
    def is_staff(self) -> bool:
        return bool(self.org_roles.intersection(STAFF))

    @property
    def is_facilitator(self) -> bool:
        return self.role == "facilitator" and self.status == "active"

    @property
    def is_active_member(self) -> bool:
        return self.status == "active"

    @property
    def can_manage(self) -> bool:
        """Staff and the group's own facilitators run its schedule and roster."""
        return self.is_staff or self.is_facilitator


def group_out(row: asyncpg.Record) -> GroupOut:
    return GroupOut(**{k: (list(v) if k == "languages" else v) for k, v in dict(row).items()})


async def load_group(conn: asyncpg.Connection, group_id: UUID, user_id: UUID) -> GroupAccess:
    """The group if the caller may see it; otherwise 404, never a hint it exists."""
    row = await conn.fetchrow(queries.GET_GROUP, group_id, user_id)
    if row is None:
        raise NotFound(_("no such group"))
    roles = frozenset(await conn.fetchval(queries.ORG_ROLES, row["org_id"], user_id) or ())
    if not roles:
        raise NotFound(_("no such group"))
    access = GroupAccess(group_out(row), roles, row["my_role"], row["my_status"])
    if row["visibility"] == "private" and not access.is_staff and access.role is None:
        raise NotFound(_("no such group"))
    return access


async def require_manager(conn: asyncpg.Connection, group_id: UUID, user_id: UUID) -> GroupAccess:
    access = await load_group(conn, group_id, user_id)
    if not access.can_manage:
        raise Forbidden(_("this needs a coordinator, an admin or one of the group's facilitators"))
    return access


async def public_group(conn: asyncpg.Connection, group_id: UUID) -> GroupOut:
    """The group as anyone may see it (no account, or another organization's people):
    a public group, or an unlisted one by its link; anything else is 404."""
    row = await conn.fetchrow(queries.GET_GROUP, group_id, None)
    if row is None or row["visibility"] not in ("public", "unlisted"):
        raise NotFound(_("no such group"))
    return group_out(row)


def require_running(group: GroupOut, what: str = "new sessions") -> None:
    """An archived group takes no `what` (new sessions, new members): 409 saying so."""
    if group.archived_at is not None:
        said = (_("this group is archived, so it takes no new members; a coordinator can reopen it from its page "
                  "if it should start again") if what == "new members" else
                _("this group is archived, so it takes no new sessions; a coordinator can reopen it from its page "
                  "if it should start again"))
        raise Conflict(said, slug="group-archived")


async def check_venue(conn: asyncpg.Connection, org_id: UUID, venue_id: UUID | None) -> None:
    # Another organization's venue is reported as missing, like any foreign id.
    if venue_id is not None and not await conn.fetchval(queries.VENUE_IN_ORG, venue_id, org_id):
        raise NotFound(_("no such venue in this organization"))


async def create_group(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, data: GroupIn) -> GroupOut:
    await require_role(conn, org_id, actor_id, STAFF)
    timezone = check_timezone(data.timezone) if data.timezone else await conn.fetchval(queries.ORG_TIMEZONE, org_id)
    await check_venue(conn, org_id, data.venue_id)
    row = await conn.fetchrow(
        queries.INSERT_GROUP, org_id, data.name.strip(), data.description, data.topic, data.audience,
        codes.check(data.languages), data.format, data.visibility, data.join_policy, data.capacity,
        data.facilitators_required, data.venue_id, timezone, data.discreet_title,
    )
    await record(conn, GroupCreated(group_id=row["id"]))
    return group_out(row)


async def get_group(conn: asyncpg.Connection, actor_id: UUID, group_id: UUID) -> GroupOut:
    return (await load_group(conn, group_id, actor_id)).group


# What PATCH may change, besides `archived`.
EDITABLE = ("name", "description", "topic", "audience", "languages", "format", "visibility", "join_policy",
            "capacity", "facilitators_required", "venue_id", "timezone", "discreet_title")


async def update_group(
    conn: asyncpg.Connection, actor_id: UUID, group_id: UUID, data: GroupPatch
) -> tuple[GroupOut, bool]:
    """Staff change a group: what is given changes, the rest stays. Returns (the group, whether
    this archived it); archiving's consequences for the schedule are the caller's
    (coord.sessions.archive). A new visibility or join policy applies from now on: members stay
    members, and requests already waiting stay for a facilitator to answer."""
    await conn.execute(queries.LOCK_GROUP, group_id)
    access = await load_group(conn, group_id, actor_id)
    group = access.group
    await require_role(conn, group.org_id, actor_id, STAFF)
    values = {f: getattr(group, f) for f in EDITABLE}
    values.update({f: v for f in EDITABLE if (v := getattr(data, f)) is not msgspec.UNSET})
    values["name"] = values["name"].strip()
    if not values["name"]:
        raise Unprocessable(_("a group needs a name"), field="name")
    if data.timezone is not msgspec.UNSET:
        values["timezone"] = check_timezone(data.timezone)
    if data.languages is not msgspec.UNSET:
        values["languages"] = codes.check(data.languages)
    if data.venue_id is not msgspec.UNSET:
        await check_venue(conn, group.org_id, data.venue_id)
    archived_at = group.archived_at
    if data.archived is not msgspec.UNSET and data.archived != group.archived:
        archived_at = clock.now() if data.archived else None
    row = await conn.fetchrow(queries.UPDATE_GROUP, group_id, *(values[f] for f in EDITABLE), archived_at)
    updated = msgspec.structs.replace(group_out(row), my_role=access.role, my_status=access.status)
    changed = [f for f in EDITABLE if getattr(updated, f) != getattr(group, f)]
    archiving = archived_at is not None and group.archived_at is None
    if archiving:
        await record(conn, GroupArchived(group_id=group_id))
        await audit(conn, group.org_id, actor_id, "group.archived", "group", group_id, {"fields": changed})
    elif changed or archived_at != group.archived_at:
        await record(conn, GroupChanged(group_id=group_id))
        action = "group.reopened" if archived_at != group.archived_at else "group.updated"
        await audit(conn, group.org_id, actor_id, action, "group", group_id, {"fields": changed})
    return updated, archiving


async def list_groups(
    conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, limit: int, cursor: str | None,
    language: str | None = None,
) -> Page[GroupOut]:
    """`language`: only groups held in it (an ISO 639 code; 422 for one that is not)."""
    roles = await require_member(conn, org_id, actor_id)
    language = codes.check([language], "language")[0] if language else None
    name, last_id = decode_cursor(cursor, tuple[KeyText, UUID]) or (None, None)
    staff = bool(roles.intersection(STAFF))
    rows = await conn.fetch(queries.LIST_GROUPS, org_id, actor_id, staff, name, last_id, limit + 1, language)
    return page_of([group_out(r) for r in rows], limit, lambda g: (g.name, g.id))


async def add_member(
    conn: asyncpg.Connection, actor_id: UUID, group_id: UUID, data: GroupMemberIn
) -> tuple[GroupMemberOut, bool]:
    """Staff add a facilitator or participant (approving any pending request). Returns (member, created)."""
    access = await load_group(conn, group_id, actor_id)
    if not access.is_staff:
        raise Forbidden(_("only coordinators and admins add people to a group"))
    require_running(access.group, "new members")
    org_id = access.group.org_id
    their_roles = set(await conn.fetchval(queries.ORG_ROLES, org_id, data.user_id) or ())
    if not their_roles:
        raise Unprocessable(_("this person is not a member of the organization"), field="user_id")
    if data.role == "facilitator" and not their_roles.intersection(FACILITATING_ORG_ROLES):
        raise Unprocessable(_("a group facilitator needs the facilitator role in the organization"), field="role")
    before = await conn.fetchrow(queries.MEMBERSHIP, group_id, data.user_id)
    row = await conn.fetchrow(queries.UPSERT_ACTIVE_MEMBER, group_id, data.user_id, data.role)
    if before is None or before["status"] != "active":
        await record(conn, GroupMemberJoined(group_id=group_id, user_id=data.user_id))
    await audit(conn, org_id, actor_id, "group.member_added", "group", group_id, {"user_id": str(data.user_id)})
    member = GroupMemberOut(group_id, data.user_id, row["role"], row["status"], joined_at=row["created_at"])
    return member, bool(row["inserted"])


async def join(conn: asyncpg.Connection, actor_id: UUID, group_id: UUID) -> tuple[JoinOut, bool]:
    """The caller joins (open) or asks to join (approval). Returns (membership, created)."""
    access = await load_group(conn, group_id, actor_id)
    return await request_membership(conn, access.group, actor_id, access.role, access.status)


async def request_membership(
    conn: asyncpg.Connection, group: GroupOut, actor_id: UUID, role: str | None, status: str | None,
    *, invited: bool = False,
) -> tuple[JoinOut, bool]:
    """`join`, once the caller may see the group (by its visibility, or by its invitation
    link: coord.groups.links) and is a member of its organization; `role` and `status` are
    their membership now, if any. `invited`: someone who may approve members asked them to
    come (coord.groups.service.accept_invitation), so a group needing approval takes them in."""
    group_id = group.id
    await require_confirmed_email(conn, actor_id)
    if role is not None:  # joining twice changes nothing
        return JoinOut(group_id, actor_id, role, status or "active"), False
    require_running(group, "new members")
    status = "active" if group.join_policy == "open" or invited else "pending"
    row = await conn.fetchrow(queries.INSERT_SELF_MEMBER, group_id, actor_id, status)
    if row is None:  # a concurrent request of the same person won the insert
        current = await conn.fetchrow(queries.MEMBERSHIP, group_id, actor_id)
        return JoinOut(group_id, actor_id, current["role"], current["status"]), False
    event = GroupMemberJoined if status == "active" else GroupMemberRequested
    await record(conn, event(group_id=group_id, user_id=actor_id))
    return JoinOut(group_id, actor_id, row["role"], row["status"]), True


async def accept_invitation(
    conn: asyncpg.Connection, group_id: UUID, user_id: UUID, inviter_id: UUID | None
) -> tuple[JoinOut, bool]:
    """The person accepts an invitation to the group (a referral to it: coord.referrals): the
    invitation stands in for the group's visibility, as a link does. A group needing approval
    takes them in at once when the inviter may approve members (its staff or facilitators);
    otherwise they ask, as anyone does. They must still be a member of its organization."""
    row = await conn.fetchrow(queries.GET_GROUP, group_id, user_id)
    if row is None:
        raise NotFound(_("no such group"))
    if not await conn.fetchval(queries.ORG_ROLES, row["org_id"], user_id):
        raise Conflict(_("you are no longer a member of the group's organization, so you cannot join it"))
    invited = False
    if inviter_id is not None:
        inviter_roles = frozenset(await conn.fetchval(queries.ORG_ROLES, row["org_id"], inviter_id) or ())
        inviter = await conn.fetchrow(queries.MEMBERSHIP, group_id, inviter_id)
        invited = bool(inviter_roles.intersection(STAFF)) or (
            inviter is not None and inviter["role"] == "facilitator" and inviter["status"] == "active")
    return await request_membership(conn, group_out(row), user_id, row["my_role"], row["my_status"], invited=invited)


async def approve(conn: asyncpg.Connection, actor_id: UUID, group_id: UUID, user_id: UUID) -> GroupMemberOut:
    access = await require_manager(conn, group_id, actor_id)
    require_running(access.group, "new members")
    row = await conn.fetchrow(queries.APPROVE_MEMBER, group_id, user_id)
    if row is None:
        current = await conn.fetchrow(queries.MEMBERSHIP, group_id, user_id)
        if current is None:
            raise NotFound(_("this person has not asked to join the group"))
        return GroupMemberOut(group_id, user_id, current["role"], current["status"])  # already active
    await record(conn, GroupMemberJoined(group_id=group_id, user_id=user_id))
    await audit(conn, access.group.org_id, actor_id, "group.member_approved", "group", group_id,
                {"user_id": str(user_id)})
    return GroupMemberOut(group_id, user_id, row["role"], row["status"], joined_at=row["created_at"])


async def decline(conn: asyncpg.Connection, actor_id: UUID, group_id: UUID, user_id: UUID) -> GroupMemberOut:
    """Say no to a pending request to join (staff and the group's facilitators): the request
    goes, and the person gets a kind message (GroupMemberDeclined). They may ask again later."""
    access = await require_manager(conn, group_id, actor_id)
    row = await conn.fetchrow(queries.DECLINE_REQUEST, group_id, user_id)
    if row is None:
        if await conn.fetchrow(queries.MEMBERSHIP, group_id, user_id) is None:
            raise NotFound(_("this person has not asked to join the group"))
        raise Conflict(_("this person is already a member of the group: to take them out, remove them instead"))
    await record(conn, GroupMemberDeclined(group_id=group_id, user_id=user_id))
    await audit(conn, access.group.org_id, actor_id, "group.request_declined", "group", group_id,
                {"user_id": str(user_id)})
    return GroupMemberOut(group_id, user_id, row["role"], "declined")


async def remove_member(conn: asyncpg.Connection, actor_id: UUID, group_id: UUID, user_id: UUID) -> None:
    """Leave (self), or remove someone: staff anyone, the group's facilitators participants only.
    Their assignments to sessions ahead and their answers to come to them go too."""
    access = await load_group(conn, group_id, actor_id)
    target = await conn.fetchrow(queries.MEMBERSHIP, group_id, user_id)
    if actor_id != user_id:
        allowed = access.is_staff or (access.is_facilitator and target is not None and target["role"] == "participant")
        if not allowed:
            raise Forbidden(_("only staff, or the group's facilitators for participants, remove other people"))
    if target is None:
        raise NotFound(_("this person is not in the group"))
    await conn.execute(queries.DELETE_MEMBER, group_id, user_id)
    now = clock.now()
    for row in await conn.fetch(queries.UNASSIGN_FUTURE_SESSIONS, group_id, user_id, now):
        await record(conn, FacilitatorsChanged(session_id=row["id"], added=[], removed=[user_id]))
    await conn.execute(queries.DROP_FUTURE_RSVPS, group_id, user_id, now)
    await record(conn, GroupMemberLeft(group_id=group_id, user_id=user_id, was_active=target["status"] == "active"))
    if actor_id != user_id:
        await audit(conn, access.group.org_id, actor_id, "group.member_removed", "group", group_id,
                    {"user_id": str(user_id)})


GROUP_ROLES = ("participant", "facilitator")


async def memberships(
    conn: asyncpg.Connection, user_id: UUID, org_id: UUID | None, roles: Iterable[str] = GROUP_ROLES
) -> list[UUID]:
    """The groups the person is in (or asked to join) in one of these group roles: of one
    organization, or of every organization they belong to when `org_id` is None."""
    return [r["group_id"] for r in await conn.fetch(queries.MEMBERSHIPS_IN_ORG, user_id, org_id, list(roles))]


async def leave_groups(
    conn: asyncpg.Connection, actor_id: UUID, user_id: UUID, org_id: UUID | None, roles: Iterable[str] = GROUP_ROLES
) -> int:
    """End every one of `memberships` as remove_member does (the person's own leaving when
    `actor_id` is theirs, else staff removing them, audited): their future facilitations
    there go, and their calendar gets a CANCEL of each group's schedule. Returns how many."""
    group_ids = await memberships(conn, user_id, org_id, roles)
    for group_id in group_ids:
        await remove_member(conn, actor_id, group_id, user_id)
    return len(group_ids)


async def list_members(
    conn: asyncpg.Connection, actor_id: UUID, group_id: UUID, status: str | None, limit: int, cursor: str | None
) -> Page[GroupMemberOut]:
    access = await require_manager(conn, group_id, actor_id)
    (after,) = decode_cursor(cursor, tuple[UUID]) or (None,)
    rows = await conn.fetch(queries.LIST_MEMBERS, group_id, status, after, limit + 1)
    await audit(conn, access.group.org_id, actor_id, "group.roster_read", "group", group_id)
    return page_of([GroupMemberOut(**dict(r)) for r in rows], limit, lambda m: (m.user_id,))
