"""Feed cache jobs: a change drops the cached feeds it may show in (coord.feeds.invalidation).

Dropping a feed twice, or a few together, drops the same feeds: the relay enqueues this job
once per batch of events (a backlog of 1,000 signups is five jobs, not 1,000)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from coord.feeds import cache
from coord.feeds.invalidation import stale_feed_keys
from coord.outbox import domain_events as ev
from workers.registry import on


@on(
    ev.MemberAdded, ev.MemberLeft, ev.MemberRolesChanged, ev.OrgChanged, ev.GroupChanged, ev.GroupArchived, ev.GroupMemberJoined,
    ev.GroupMemberLeft, ev.GroupMemberRequested, ev.GroupMemberDeclined, ev.SeriesScheduled, ev.SeriesChanged,
    ev.SessionRescheduled, ev.SessionCancelled,
    ev.FacilitatorsChanged, ev.SeriesFacilitatorsChanged, ev.EventScheduled, ev.EventChanged, ev.EventCancelled,
    ev.ShiftCreated, ev.ShiftChanged, ev.ShiftCancelled, ev.BookingPlaced, ev.BookingCancelled, ev.LanguageChanged,
    batched=True,
)
async def invalidate_feeds(ctx: dict[str, Any], events: list[tuple[ev.AnyEvent, UUID]]) -> int:
    """Drop the cached renders the domain events may have made stale; returns how many."""
    async with ctx["pool"].acquire() as conn:
        keys = await stale_feed_keys(conn, [event for event, _ in events])
    return await cache.forget(ctx["redis"], keys)
