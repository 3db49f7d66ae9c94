"""One person's own schedule in one list: group sessions, shift places, event registrations.

Only the reader's own items and their own RSVP are read: nothing here says who else
is in a group, on a shift or at an event. Runs inside the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import asyncpg
import msgspec

from coord.views import queries

# Enough for two months of a busy week; each kind is capped on its own.
MAX_PER_KIND = 300


class SessionItem(msgspec.Struct, tag="session"):
    """A session of a group I am an active member of; `my_rsvp` is mine only."""

    session_id: UUID
    group_id: UUID
    group_name: str
    org_name: str
    org_slug: str
    starts_at: datetime
    ends_at: datetime
    status: str  # scheduled / cancelled / completed
    cancel_reason: str | None
    my_role: str  # participant / facilitator
    facilitating: bool  # assigned to run this session
    my_rsvp: str | None  # going / not_going


class ShiftItem(msgspec.Struct, tag="shift"):
    """My place on a shift: confirmed, or waitlisted at `position` (1 = next in line)."""

    shift_id: UUID
    role: str
    starts_at: datetime
    ends_at: datetime
    shift_status: str  # scheduled / cancelled
    event_id: UUID | None
    event_title: str | None
    org_name: str
    org_slug: str
    status: Literal["confirmed", "waitlisted", "cancelled"]
    position: int | None


class EventItem(msgspec.Struct, tag="event"):
    """My registration for a community event, with my waitlist position."""

    event_id: UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    event_status: str  # scheduled / cancelled
    org_name: str
    org_slug: str
    status: Literal["confirmed", "waitlisted", "cancelled"]
    position: int | None


ScheduleItem = SessionItem | ShiftItem | EventItem
KIND_ORDER = {SessionItem: 0, ShiftItem: 1, EventItem: 2}


class MySchedule(msgspec.Struct):
    """Items not ended by `start` and starting before `end`, oldest first."""

    start: datetime
    end: datetime
    items: list[ScheduleItem]
    truncated: bool  # a kind hit its cap: the window holds more than is listed


async def my_schedule(conn: asyncpg.Connection, user_id: UUID, start: datetime, end: datetime) -> MySchedule:
    args = (user_id, start, end, MAX_PER_KIND)
    sessions = [SessionItem(**dict(r)) for r in await conn.fetch(queries.MY_SCHEDULE_SESSIONS, *args)]
    shifts = [ShiftItem(**dict(r)) for r in await conn.fetch(queries.MY_SCHEDULE_SIGNUPS, *args)]
    events = [EventItem(**dict(r)) for r in await conn.fetch(queries.MY_SCHEDULE_REGISTRATIONS, *args)]
    items: list[ScheduleItem] = [*sessions, *shifts, *events]
    items.sort(key=lambda i: (i.starts_at, KIND_ORDER[type(i)]))
    truncated = any(len(kind) >= MAX_PER_KIND for kind in (sessions, shifts, events))
    return MySchedule(start=start, end=end, items=items, truncated=truncated)
