"""`coord demo`: a realistic demo organization, loaded through the services.

Riverside Wellbeing Collective (America/New_York): four support groups (public
peer-led, public professional-led with approval, private, discreet) with weekly and
biweekly series from next week, facilitators on most sessions (a couple of coverage
gaps left open), participants and a pending join request; two community events (a
workshop with registrations, an awareness walk); twenty volunteer shifts over the next
two weeks in three roles, with signups, one full with a waitlist, and the peer support
line needing the MHFA training. The data is in coord.demo_data.

Idempotent: running it twice leaves one demo organization. Every demo account
has the password printed at the end (development only).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from coord.kernel import clock
from coord.auth import service as auth_service
from coord.auth.schemas import RegisterIn
from coord.kernel.config import Settings
from coord.kernel.db.pool import create_pool, transaction
from coord.demo_data import (
    ADMIN, CRISIS_LINE, DEMO_TZ, EVENTS, GROUPS, MHFA_HOLDERS, PEOPLE, SHIFT_DESCRIPTIONS, SHIFTS, VENUES,
)
from coord.events import service as event_service
from coord.events.schemas import EventIn
from coord.groups import service as group_service
from coord.groups.schemas import GroupIn, GroupMemberIn
from coord.orgs import service as org_service
from coord.orgs.schemas import MemberIn, OrgIn, OrgSettingsIn, VenueIn
from coord.sessions import participation
from coord.sessions import service as session_service
from coord.sessions.schemas import FacilitatorsIn, RsvpIn, SeriesIn
from coord.shifts import signups, trainings
from coord.shifts import service as shift_service
from coord.shifts.schemas import ShiftIn, TrainingIn

DEMO_SLUG = "riverside-wellbeing"
DEMO_PASSWORD = "demo-password-2026"
__all__ = ["DEMO_PASSWORD", "DEMO_SLUG", "PEOPLE", "load_demo"]


async def _user(conn: asyncpg.Connection, email: str, name: str) -> UUID:
    found = await conn.fetchval("SELECT id FROM users WHERE lower(email) = lower($1)", email)
    if found:
        return found
    data = RegisterIn(email=email, password=DEMO_PASSWORD, display_name=name, timezone=DEMO_TZ)
    return (await auth_service.register(conn, data, confirmed=True)).id  # demo addresses count as confirmed


def _local(day: date, hm: tuple[int, int]) -> datetime:
    return datetime.combine(day, time(*hm), ZoneInfo(DEMO_TZ))


class _Loader:
    """One load, in one transaction: ids of what it created, as it goes."""

    def __init__(self, conn: asyncpg.Connection, today: date) -> None:
        self.conn = conn
        self.today = today
        self.people: dict[str, UUID] = {}
        self.venues: list[UUID] = []
        self.events: list[UUID] = []
        self.admin: UUID
        self.org_id: UUID

    async def organization(self) -> None:
        conn = self.conn
        self.admin = await _user(conn, *ADMIN)
        org = await org_service.create_org(
            conn, self.admin,
            OrgIn(name="Riverside Wellbeing Collective", slug=DEMO_SLUG, timezone=DEMO_TZ,
                  contact_email="hello@demo.coord.test"),
        )
        self.org_id = org.id
        await org_service.update_org(conn, self.admin, org.id, OrgSettingsIn(crisis_resources=CRISIS_LINE))
        for email, name, roles in PEOPLE:
            self.people[email] = await _user(conn, email, name)
            await org_service.add_member(conn, self.admin, org.id, MemberIn(email=email, roles=roles))
        for venue in VENUES:
            self.venues.append((await org_service.create_venue(conn, self.admin, org.id, VenueIn(**venue))).id)

    async def groups(self) -> None:
        conn, admin = self.conn, self.admin
        next_monday = self.today + timedelta(days=7 - self.today.weekday())
        for spec in GROUPS:
            group = await group_service.create_group(
                conn, admin, self.org_id, GroupIn(**spec["group"], venue_id=self.venues[spec["venue"]]))
            for email in spec["facilitators"]:
                await group_service.add_member(conn, admin, group.id, GroupMemberIn(self.people[email], "facilitator"))
            for email in spec["participants"]:
                await group_service.add_member(conn, admin, group.id, GroupMemberIn(self.people[email], "participant"))
            for email in spec["pending"]:
                await group_service.join(conn, self.people[email], group.id)
            plan = spec["series"]
            start = datetime.combine(next_monday + timedelta(days=plan["weekday"]), time(*plan["time"]))
            await session_service.create_series(conn, admin, group.id, SeriesIn(
                start=start, timezone=DEMO_TZ, duration_minutes=plan["minutes"], rrule=plan["rrule"],
                facilitator_ids=[self.people[e] for e in plan["facilitators"]]))
            sessions = await session_service.list_sessions(conn, admin, group.id, None, None, 3, None)
            keep = FacilitatorsIn([self.people[e] for e in spec["gap_keep"]])
            for n in spec["gaps"]:
                await session_service.set_facilitators(conn, admin, sessions.items[n].id, keep)
            # A few people say they are coming to the first two sessions.
            for session in sessions.items[:2]:
                for email in spec["participants"][:3]:
                    await participation.rsvp(conn, self.people[email], session.id, RsvpIn("going"))

    async def community_events(self) -> None:
        for spec in EVENTS:
            starts = _local(self.today + timedelta(days=spec["day"]), spec["time"])
            venue = self.venues[spec["venue"]] if spec["venue"] is not None else None
            event = await event_service.create_event(self.conn, self.admin, self.org_id, EventIn(
                **spec["event"], starts_at=starts, ends_at=starts + timedelta(hours=spec["hours"]),
                timezone=DEMO_TZ, venue_id=venue))
            self.events.append(event.id)
            for email in spec["registrations"]:
                await event_service.register(self.conn, self.people[email], event.id)

    async def shifts(self) -> None:
        for email in MHFA_HOLDERS:
            await trainings.record_training(self.conn, self.people[email], TrainingIn(
                code="MHFA", completed_on=self.today - timedelta(days=200), expires_on=self.today + timedelta(days=900)))
        for role, day, hm, hours, capacity, event, training, people in SHIFTS:
            starts = _local(self.today + timedelta(days=day), hm)
            shift = await shift_service.create_shift(self.conn, self.admin, self.org_id, ShiftIn(
                role=role, starts_at=starts, ends_at=starts + timedelta(hours=hours), capacity=capacity,
                event_id=self.events[event] if event is not None else None, required_training=training,
                description=SHIFT_DESCRIPTIONS[role]))
            for email in people:
                await signups.sign_up(self.conn, self.people[email], shift.id)


async def load_demo(settings: Settings) -> str:
    pool = await create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        async with transaction(pool) as conn:
            # One load at a time: a second `coord demo` waits here, then finds the organization.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('coord.demo'))")
            if await conn.fetchval("SELECT id FROM orgs WHERE slug = $1", DEMO_SLUG):
                return f"demo organization {DEMO_SLUG!r} already loaded; accounts use password {DEMO_PASSWORD!r}"
            loader = _Loader(conn, clock.today_in(DEMO_TZ))
            await loader.organization()
            await loader.groups()
            await loader.community_events()
            await loader.shifts()
        accounts = ", ".join(email for email, _, _ in PEOPLE[:5])
        return (f"loaded demo organization {DEMO_SLUG!r}; log in as {ADMIN[0]} (admin), {accounts} "
                f"with the password {DEMO_PASSWORD!r}")
    finally:
        await pool.close()
