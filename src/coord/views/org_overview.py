"""An organization as its pages show it: the public page (what a visitor, a member
or a coordinator may see) and the coordinators' overview. Composed from the
domains' own services, which check access, and the coverage and directory views."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from coord.events import service as events_service
from coord.events.schemas import EventOut
from coord.groups import service as groups_service
from coord.groups.counts import GroupCounts, count_groups, member_counts, waiting_requests
from coord.groups.schemas import GroupOut
from coord.kernel import clock
from coord.kernel.access import STAFF, org_roles, require_role
from coord.orgs import service as orgs_service
from coord.orgs.schemas import DeliveryOut, MemberOut, OrgOut, PublicOrg, VenueOut
from coord.shifts import service as shifts_service
from coord.shifts.schemas import ShiftOut
from coord.views import org_directory
from coord.views.coverage import CoverageGapOut, count_gaps, coverage_gaps

WINDOW = timedelta(days=14)  # coverage gaps and shifts: the same two weeks as the rosters
MAX_ROWS = 200
# Rows a section of the coordinators' overview shows before its "Show all" link (?all=section):
# a phone scrolls a few screens, not fifty.
SECTION_ROWS = 8


class OrgGroup(msgspec.Struct):
    id: UUID
    name: str
    description: str | None
    format: str
    join_policy: str
    visibility: str
    next_session: datetime | None
    my_status: str | None = None  # the reader's own membership: active / pending
    languages: list[str] = []


class OrgEvent(org_directory.ListedEvent):
    visibility: str


class OrgPage(msgspec.Struct):
    org: PublicOrg
    roles: list[str]
    groups: list[OrgGroup]
    events: list[OrgEvent]
    languages: list[str] = []  # what its lists' language filter offers
    language: str | None = None  # the filter's choice

    @property
    def is_member(self) -> bool:
        return bool(self.roles)

    @property
    def is_staff(self) -> bool:
        return bool(set(self.roles).intersection(STAFF))


async def org_page(conn: asyncpg.Connection, viewer_id: UUID | None, slug: str,
                   language: str | None = None) -> OrgPage:
    """Visitors and other organizations' people see public groups and events; members
    also the groups and events they may see as members (groups.service decides which).
    `language` (a known ISO 639 code): only those held in it."""
    org = await orgs_service.org_by_slug(conn, slug)
    roles = await org_roles(conn, org.id, viewer_id) if viewer_id else set()
    public_groups = await org_directory.public_groups(conn, org.id, MAX_ROWS, language)
    languages = await org_directory.public_languages(conn, org.id)
    if not roles:
        groups = [OrgGroup(g.id, g.name, g.description, g.format, g.join_policy, "public", g.next_session,
                           languages=g.languages) for g in public_groups]
        events = [OrgEvent(e.id, e.title, e.kind, e.starts_at, e.ends_at, e.timezone, e.capacity, e.confirmed_count,
                           e.languages, "public")
                  for e in await org_directory.public_events(conn, org.id, MAX_ROWS, language)]
        return OrgPage(org, [], groups, events, languages, language)
    assert viewer_id is not None
    next_session = {g.id: g.next_session for g in public_groups}
    mine = await groups_service.list_groups(conn, viewer_id, org.id, MAX_ROWS, None, language)
    groups = [OrgGroup(g.id, g.name, g.description, g.format, g.join_policy, g.visibility, next_session.get(g.id),
                       g.my_status, g.languages) for g in mine.items]
    listed = await events_service.list_events(conn, viewer_id, org.id, clock.now(), None, MAX_ROWS, None, language)
    events = [OrgEvent(e.id, e.title, e.kind, e.starts_at, e.ends_at, e.timezone, e.capacity, e.confirmed_count,
                       e.languages, e.visibility) for e in listed.items]
    return OrgPage(org, sorted(roles), groups, events, languages, language)


class GroupRow(msgspec.Struct):
    group: GroupOut
    counts: GroupCounts | None


class Today(msgspec.Struct):
    """What needs a coordinator today: the first section of the overview, each with its section."""

    gap_count: int  # sessions short of facilitators in the next 24 hours
    first_gap: CoverageGapOut | None  # the first of them
    requests: int  # join requests waiting, across the groups
    request_groups: list[GroupOut]  # the groups they wait in
    events: list[EventOut]  # events starting before the day ends (in the organization's timezone)
    open_shifts: list[ShiftOut]  # shifts starting before the day ends with places left
    failed: int  # messages that could not be sent

    @property
    def anything(self) -> bool:
        return bool(self.gap_count or self.requests or self.events or self.open_shifts or self.failed)


def _today(org: PublicOrg, start: datetime, gap_count: int, gaps: list[CoverageGapOut],
           waiting: list[tuple[GroupOut, int]], events: list[EventOut], shifts: list[ShiftOut], failed: int) -> Today:
    zone = ZoneInfo(org.timezone)
    local = start.astimezone(zone)
    day_end = datetime.combine(local.date() + timedelta(days=1), time(0), zone)
    return Today(
        gap_count=gap_count, first_gap=gaps[0] if gap_count else None,
        requests=sum(pending for group, pending in waiting), request_groups=[group for group, pending in waiting],
        events=[e for e in events if e.starts_at < day_end and e.status == "scheduled"],
        open_shifts=[s for s in shifts if s.starts_at < day_end and s.status != "cancelled"
                     and s.confirmed_count < s.capacity],
        failed=failed,
    )


class Coordination(msgspec.Struct):
    org: PublicOrg
    roles: list[str]
    window_end: datetime
    gaps: list[CoverageGapOut]  # the ones the page shows
    gap_count: int  # all of them, up to MAX_ROWS
    groups: list[GroupRow]  # the ones the page shows, with their head counts
    group_count: int  # all of them, up to MAX_ROWS
    events: list[EventOut]
    shifts: list[ShiftOut]
    members: list[MemberOut]
    deliveries: list[DeliveryOut]
    venues: list[VenueOut]
    more: list[str]  # sections cut at MAX_ROWS
    today: Today

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def event_title(self, event_id: UUID | None) -> str | None:
        return next((e.title for e in self.events if e.id == event_id), None)


async def coordination(conn: asyncpg.Connection, actor_id: UUID, slug: str, now: datetime | None = None, *,
                       shown: int = SECTION_ROWS, show_all: str | None = None) -> Coordination:
    """Coverage gaps, groups, events, shifts, members and failed deliveries (admins, coordinators).
    Another organization's people get 404, members without a staff role 403.

    Gaps and groups, the sections that grow with the organization, are read as far as the page
    shows them: the first `shown`, or up to MAX_ROWS of the one `show_all` names ("gaps",
    "groups"), with their counts up to MAX_ROWS."""
    org = await orgs_service.org_by_slug(conn, slug)
    roles = await require_role(conn, org.id, actor_id, STAFF)
    start = now or clock.now()
    end = start + WINDOW
    groups = await groups_service.list_groups(conn, actor_id, org.id, MAX_ROWS if show_all == "groups" else shown, None)
    group_count = await count_groups(conn, actor_id, org.id, MAX_ROWS + 1)
    gaps = await coverage_gaps(conn, actor_id, org_id=org.id, from_=start, to=end,
                               limit=MAX_ROWS if show_all == "gaps" else shown, cursor=None)
    gap_count, gaps_soon = await count_gaps(conn, actor_id, org.id, from_=start, to=end,
                                            before=start + timedelta(hours=24), up_to=MAX_ROWS + 1)
    counts = await member_counts(conn, actor_id, org.id, [g.id for g in groups.items])
    waiting = await waiting_requests(conn, actor_id, org.id, MAX_ROWS)
    events = await events_service.list_events(conn, actor_id, org.id, start, None, MAX_ROWS, None)
    shifts = await shifts_service.list_shifts(conn, actor_id, org.id, start, end, False, MAX_ROWS, None)
    members = await orgs_service.list_members(conn, actor_id, org.id, MAX_ROWS, None)
    deliveries = await orgs_service.list_deliveries(conn, actor_id, org.id, "failed", MAX_ROWS, None)
    venues = await orgs_service.list_venues(conn, actor_id, org.id, MAX_ROWS, None)
    cut = {"coverage gaps": gap_count > MAX_ROWS, "groups": group_count > MAX_ROWS,
           **{name: bool(p.next_cursor) for name, p in (("events", events), ("shifts", shifts), ("members", members),
                                                         ("failed deliveries", deliveries))}}
    return Coordination(
        org=org, roles=sorted(roles), window_end=end,
        gaps=gaps.items, gap_count=min(gap_count, MAX_ROWS),
        groups=[GroupRow(g, counts.get(g.id)) for g in groups.items], group_count=min(group_count, MAX_ROWS),
        events=events.items, shifts=shifts.items,
        members=sorted(members.items, key=lambda m: ((m.display_name or "").lower(), str(m.user_id))),
        deliveries=deliveries.items, venues=venues.items,
        more=[name for name, is_cut in cut.items() if is_cut],
        today=_today(org, start, min(gaps_soon, MAX_ROWS), gaps.items, waiting, events.items, shifts.items,
                     len(deliveries.items)),
    )


class OrgSettingsView(msgspec.Struct):
    """An organization's settings as its staff see them (admins may change them)."""

    org: OrgOut
    roles: list[str]

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


async def org_settings(conn: asyncpg.Connection, actor_id: UUID, slug: str) -> OrgSettingsView:
    """Admins and coordinators; other members 403, everyone else 404."""
    org = await orgs_service.org_by_slug(conn, slug)
    roles = await require_role(conn, org.id, actor_id, STAFF)
    return OrgSettingsView(await orgs_service.get_org(conn, actor_id, org.id), sorted(roles))
