"""Feed cache jobs (see coord.feeds.cache). FEED_ROUTING and FEED_FUNCTIONS are merged
into the worker's routing and functions.

`invalidate_feeds` runs after the change committed (the relay publishes only
committed events) and drops every cached feed the change may show in: the
organization's feeds, its members' personal feeds, the personal feeds of the
people the event names, and the organization's public events feed. Dropping a
few feeds too many costs one render each; missing one would show stale data.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import msgspec

from coord.feeds import cache, queries
from coord.kernel.observability import request_id_var
from coord.outbox.domain_events import (
    AnyEvent,
    EventCancelled,
    EventChanged,
    EventScheduled,
    FacilitatorsChanged,
    GroupMemberJoined,
    GroupMemberLeft,
    GroupMemberRequested,
    MemberAdded,
    RegistrationCancelled,
    RegistrationConfirmed,
    SeriesChanged,
    SeriesScheduled,
    SessionCancelled,
    SessionRescheduled,
    ShiftCancelled,
    ShiftChanged,
    ShiftCreated,
    SignupCancelled,
    SignupConfirmed,
    event_kind,
)

log = logging.getLogger("coord.jobs")


def _scope(event: AnyEvent) -> tuple[str, UUID, list[UUID]]:
    """(query finding the organization, the id it takes, people the event names)."""
    match event:
        case MemberAdded(org_id=org_id, user_id=user_id):
            return "", org_id, [user_id]
        case GroupMemberJoined(group_id=g, user_id=u) | GroupMemberLeft(group_id=g, user_id=u) | GroupMemberRequested(
            group_id=g, user_id=u
        ):
            return queries.ORG_OF_GROUP, g, [u]
        case SeriesScheduled(series_id=series_id) | SeriesChanged(series_id=series_id):
            return queries.ORG_OF_SERIES, series_id, []
        case SessionRescheduled(session_id=session_id) | SessionCancelled(session_id=session_id):
            return queries.ORG_OF_SESSION, session_id, []
        case FacilitatorsChanged(session_id=session_id, added=added, removed=removed):
            return queries.ORG_OF_SESSION, session_id, [*added, *removed]
        case EventScheduled(event_id=event_id) | EventChanged(event_id=event_id) | EventCancelled(event_id=event_id):
            return queries.ORG_OF_EVENT, event_id, []
        case RegistrationConfirmed(event_id=event_id, user_id=u) | RegistrationCancelled(event_id=event_id, user_id=u):
            return queries.ORG_OF_EVENT, event_id, [u]
        case ShiftCreated(shift_id=shift_id) | ShiftChanged(shift_id=shift_id) | ShiftCancelled(shift_id=shift_id):
            return queries.ORG_OF_SHIFT, shift_id, []
        case SignupConfirmed(shift_id=shift_id, user_id=u) | SignupCancelled(shift_id=shift_id, user_id=u):
            return queries.ORG_OF_SHIFT, shift_id, [u]
        case _:
            raise TypeError(f"invalidate_feeds cannot handle {type(event).__name__}")


async def invalidate_feeds(
    ctx: dict[str, Any], event_id: str, payload: dict[str, Any], request_id: str | None = None
) -> int:
    """Drop the cached renders a domain event may have made stale; returns how many."""
    request_id_var.set(request_id)
    event = msgspec.convert(payload, AnyEvent)
    org_query, subject_id, people = _scope(event)
    keys: list[str] = []
    async with ctx["pool"].acquire() as conn:
        org_id = await conn.fetchval(org_query, subject_id) if org_query else subject_id
        if org_id is None:  # the subject is gone (deleted with its org): only the people remain
            rows = await conn.fetch(queries.USER_FEEDS, people)
        else:
            rows = await conn.fetch(queries.AFFECTED_FEEDS, org_id, people)
            slug = await conn.fetchval(queries.ORG_SLUG, org_id)
            if slug is not None:
                keys.append(cache.public_key(slug))
    keys += [cache.private_key(r["token_hash"]) for r in rows]
    dropped = await cache.forget(ctx["redis"], keys)
    log.info("feeds invalidated", extra={"event_id": event_id, "job": "invalidate_feeds", "count": dropped})
    return dropped


_FEED_EVENTS = (
    MemberAdded, GroupMemberJoined, GroupMemberLeft, GroupMemberRequested, SeriesScheduled, SeriesChanged,
    SessionRescheduled, SessionCancelled, FacilitatorsChanged, EventScheduled, EventChanged,
    EventCancelled, RegistrationConfirmed, RegistrationCancelled, ShiftCreated, ShiftChanged, ShiftCancelled,
    SignupConfirmed, SignupCancelled,
)

FEED_ROUTING: dict[str, tuple[str, ...]] = {event_kind(cls): ("invalidate_feeds",) for cls in _FEED_EVENTS}
FEED_FUNCTIONS: list[Any] = [invalidate_feeds]
