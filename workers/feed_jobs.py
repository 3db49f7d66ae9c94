"""Feed cache jobs: a change drops the cached feeds it may show in (coord.feeds.invalidation)."""

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
)
async def invalidate_feeds(ctx: dict[str, Any], event: ev.AnyEvent, outbox_id: UUID) -> int:
    """Drop the cached renders a domain event may have made stale; returns how many."""
    async with ctx["pool"].acquire() as conn:
        keys = await stale_feed_keys(conn, event)
    return await cache.forget(ctx["redis"], keys)
