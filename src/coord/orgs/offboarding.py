"""Leaving an organization, being removed from one, and losing roles in one (issue 14.8).
Runs inside the caller's transaction.

What a person holds ahead in an organization is given up through each domain's own
service, as if they undid it themselves, so every consequence is the usual one: a place
on a shift or at an event goes to the first person waiting (the booking engine); a group
membership ends with a CANCEL of the group's schedule to their calendar; a session ahead
they facilitate loses them, and shows as a coverage gap if it is now short (the coverage
cron alerts coordinators); their calendar feeds of the organization stop. `release` is
that rule, and erasing an account (coord.privacy) uses it too, for every organization at
once. Attendance is history, not something held ahead: it stays, as attendance, under the
organization's retention rules.

Losing only some roles undoes only what those roles allowed and no kept role still does
(`undo_for`). The last admin can be neither removed nor demoted. Everything is audited,
and the person gets one message saying what changed (MemberLeft, MemberRolesChanged).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

import asyncpg
import msgspec

from coord.i18n import gettext as _
from coord.bookings import engine as bookings
from coord.bookings.engine import EVENT_REGISTRATIONS, SHIFT_SIGNUPS
from coord.events import service as events_service
from coord.feeds import service as feeds_service
from coord.groups import service as groups_service
from coord.groups.service import FACILITATING_ORG_ROLES, GROUP_ROLES
from coord.kernel.access import STAFF, check_roles, org_roles, require_member
from coord.kernel.audit import audit
from coord.kernel.errors import Conflict, Forbidden, NotFound
from coord.orgs import queries
from coord.orgs.schemas import MemberOut
from coord.outbox.domain_events import MemberLeft, MemberRolesChanged
from coord.outbox.record import record
from coord.sessions import service as sessions_service
from coord.shifts import signups as shift_signups

# What each organization role lets a person hold there (any member may register for events).
SHIFT_ROLES = frozenset({"volunteer", "coordinator", "admin"})  # places on shifts
FACILITATING_ROLES = frozenset(FACILITATING_ORG_ROLES)  # facilitating groups and their sessions
PARTICIPATING_ROLES = frozenset({"participant"})  # taking part in groups


@dataclass(frozen=True)
class Undo:
    """What is given up. `org_feeds` with no organization (erasure) means every feed."""

    shift_places: bool = False
    event_places: bool = False
    group_roles: frozenset[str] = field(default_factory=frozenset)  # memberships in these group roles end
    facilitations: bool = False
    org_feeds: bool = False


EVERYTHING = Undo(shift_places=True, event_places=True, group_roles=frozenset(GROUP_ROLES), facilitations=True,
                  org_feeds=True)


def undo_for(before: set[str], after: set[str]) -> Undo:
    """What changing roles from `before` to `after` undoes: what a role taken away allowed,
    unless a role kept allows it too. No roles left: everything (the membership ends)."""
    if not after:
        return EVERYTHING

    def lost(allowing: frozenset[str]) -> bool:
        return bool(before & allowing) and not after & allowing

    facilitating = lost(FACILITATING_ROLES)
    group_roles = {"facilitator"} if facilitating else set()
    if lost(PARTICIPATING_ROLES):
        group_roles.add("participant")  # pending requests to join are participants' too
    return Undo(shift_places=lost(SHIFT_ROLES), group_roles=frozenset(group_roles), facilitations=facilitating)


class Released(msgspec.Struct, frozen=True):
    """How much was (or would be) given up."""

    shift_places: int = 0  # places and waitlist spots on shifts ahead
    event_places: int = 0
    groups: int = 0
    sessions: int = 0  # sessions ahead no longer facilitated
    feeds: int = 0

    @property
    def anything(self) -> bool:
        return any(msgspec.structs.astuple(self))

    def counts(self) -> dict[str, int]:
        return msgspec.structs.asdict(self)


async def release(
    conn: asyncpg.Connection, actor_id: UUID, user_id: UUID, org_id: UUID | None, undo: Undo
) -> tuple[Released, list[bytes]]:
    """Give up what `undo` says the person holds ahead, in organization `org_id` (None: in
    every one, for erasure), each through its own domain's service. `actor_id` is who
    asked (the person, or staff: group removals are then audited as theirs). Returns the
    counts and the token hashes of the feeds deleted, whose cached renders the caller
    drops after the commit."""
    # Places are given up through each domain's own cancel, so its rules and events hold.
    shifts = await bookings.give_up_future(
        conn, SHIFT_SIGNUPS, user_id, org_id, shift_signups.cancel_signup) if undo.shift_places else 0
    events = await bookings.give_up_future(
        conn, EVENT_REGISTRATIONS, user_id, org_id, events_service.unregister) if undo.event_places else 0
    # Facilitations first, so each session says once that it lost them (leaving a group
    # would drop the same assignments, group by group).
    sessions = await sessions_service.unassign_future(conn, user_id, org_id) if undo.facilitations else 0
    groups = 0
    if undo.group_roles:
        groups = await groups_service.leave_groups(conn, actor_id, user_id, org_id, sorted(undo.group_roles))
    feed_hashes = await feeds_service.end_feeds(conn, user_id, org_id) if undo.org_feeds else []
    return Released(shifts, events, groups, sessions, len(feed_hashes)), feed_hashes


async def held(conn: asyncpg.Connection, user_id: UUID, org_id: UUID, undo: Undo) -> Released:
    """What `release` would give up now: the same lists, counted and left alone."""
    return Released(
        shift_places=len(await bookings.future_bookings(conn, SHIFT_SIGNUPS, user_id, org_id)) if undo.shift_places else 0,
        event_places=len(await bookings.future_bookings(conn, EVENT_REGISTRATIONS, user_id, org_id))
        if undo.event_places else 0,
        groups=len(await groups_service.memberships(conn, user_id, org_id, undo.group_roles)) if undo.group_roles else 0,
        sessions=len(await sessions_service.future_facilitations(conn, user_id, org_id)) if undo.facilitations else 0,
        feeds=await feeds_service.count_feeds(conn, user_id, org_id) if undo.org_feeds else 0,
    )


# --- who may do what -----------------------------------------------------------------------


class MemberChange(msgspec.Struct, frozen=True):
    """A change to one membership, as its confirmation page says it before it happens."""

    org_id: UUID
    user_id: UUID
    display_name: str | None
    own: bool  # the person changes their own membership
    roles_before: list[str]
    roles_after: list[str]  # empty: the membership ends
    released: Released  # what would be given up

    @property
    def leaving(self) -> bool:
        return not self.roles_after

    @property
    def roles_taken(self) -> list[str]:
        return [r for r in self.roles_before if r not in self.roles_after]

    @property
    def roles_given(self) -> list[str]:
        return [r for r in self.roles_after if r not in self.roles_before]


async def _allowed(
    conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, user_id: UUID, after: set[str], *, lock: bool
) -> set[str]:
    """The person's roles now, once `actor_id` may change them to `after` (empty: the
    membership ends). Anyone may leave; staff change and remove others; only an admin
    makes, changes or removes an admin; the last admin stays. With `lock`, other changes to
    the organization's memberships wait for this transaction."""
    if lock:
        await conn.execute(queries.LOCK_MEMBERSHIPS, org_id)
    actor_roles = await require_member(conn, org_id, actor_id)  # another organization's people: 404
    own = actor_id == user_id
    if not (own and not after):
        check_roles(actor_roles, STAFF)
    before = actor_roles if own else await org_roles(conn, org_id, user_id)
    if not before:
        raise NotFound(_("this person is not a member of the organization"))
    if "admin" not in actor_roles:
        if "admin" in after - before:
            raise Forbidden(_("only an admin can make someone an admin"))
        if "admin" in before and not own:
            raise Forbidden(_("only an admin can change an admin's roles or remove an admin"))
    if "admin" in before and "admin" not in after and await conn.fetchval(queries.ADMIN_COUNT, org_id) <= 1:
        raise Conflict((_("You are the only admin of this organization: make someone else an admin first") if own
                        else _("This person is the only admin of this organization: make someone else an admin first")),
                       slug="last-admin")
    return before


async def _member(conn: asyncpg.Connection, org_id: UUID, user_id: UUID) -> asyncpg.Record:
    row = await conn.fetchrow(queries.MEMBER, org_id, user_id)
    if row is None:
        raise NotFound(_("this person is not a member of the organization"))
    return row


async def preview(
    conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, user_id: UUID, roles: list[str] | None = None
) -> MemberChange:
    """What changing the person's roles to `roles` (None or empty: ending the membership)
    would do, with the same checks as doing it; changes nothing."""
    after = set(roles or ())
    before = await _allowed(conn, actor_id, org_id, user_id, after, lock=False)
    member = await _member(conn, org_id, user_id)
    released = await held(conn, user_id, org_id, undo_for(before, after))
    return MemberChange(org_id, user_id, member["display_name"], actor_id == user_id, sorted(before), sorted(after),
                        released)


async def remove_member(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, user_id: UUID) -> list[bytes]:
    """The person leaves (their own id) or staff remove them: what they hold ahead there is
    given up, the membership ends, it is audited, and they are told. Returns the token
    hashes of the feeds that stopped, for the caller to drop from the cache after the commit."""
    before = await _allowed(conn, actor_id, org_id, user_id, set(), lock=True)
    released, feed_hashes = await release(conn, actor_id, user_id, org_id, EVERYTHING)
    await conn.execute(queries.DELETE_MEMBER, org_id, user_id)
    removed = actor_id != user_id
    await record(conn, MemberLeft(org_id=org_id, user_id=user_id, removed=removed, **released.counts()))
    await audit(conn, org_id, actor_id, "org.member_removed" if removed else "org.member_left", "user", user_id,
                {"roles": sorted(before), "released": released.counts()})
    return feed_hashes


async def set_roles(
    conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, user_id: UUID, roles: list[str]
) -> MemberOut:
    """Replace the person's roles (staff; admins for anything about the admin role). What
    only the roles taken away allowed is given up; audited; the person is told."""
    after = set(roles)
    before = await _allowed(conn, actor_id, org_id, user_id, after, lock=True)
    if after != before:
        released, _unused = await release(conn, actor_id, user_id, org_id, undo_for(before, after))
        await conn.execute(queries.SET_ROLES, org_id, user_id, sorted(after))
        await record(conn, MemberRolesChanged(org_id=org_id, user_id=user_id, **released.counts()))
        await audit(conn, org_id, actor_id, "org.roles_changed", "user", user_id,
                    {"from": sorted(before), "to": sorted(after), "released": released.counts()})
    member = await _member(conn, org_id, user_id)
    return MemberOut(org_id=org_id, user_id=user_id, roles=list(member["roles"]), display_name=member["display_name"])
