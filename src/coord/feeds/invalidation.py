"""Which cached feeds a domain event may have made stale (the `invalidate_feeds` job).

The job runs after the change committed (the relay publishes only committed
events) and drops every cached feed the change may show in: the organization's
feeds, its members' personal feeds, the personal feeds of the people the event
names, and the organization's public events feed. Dropping a few feeds too many
costs one render each; missing one would show stale data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple
from uuid import UUID

import asyncpg

from coord.feeds import cache, queries
from coord.outbox.domain_events import (
    AnyEvent,
    BookingCancelled,
    BookingPlaced,
    EventCancelled,
    EventChanged,
    EventScheduled,
    FacilitatorsChanged,
    GroupArchived,
    GroupChanged,
    GroupMemberDeclined,
    GroupMemberJoined,
    GroupMemberLeft,
    GroupMemberRequested,
    LanguageChanged,
    MemberAdded,
    MemberLeft,
    MemberRolesChanged,
    OrgChanged,
    SeriesChanged,
    SeriesFacilitatorsChanged,
    SeriesScheduled,
    SessionCancelled,
    SessionRescheduled,
    ShiftCancelled,
    ShiftChanged,
    ShiftCreated,
)

class FeedScope(NamedTuple):
    """Where the change shows: the organization (found by `query` from `subject_id`, a
    queries.STALE_FEEDS_OF_* for what the subject is) and the people the event names."""

    query: str
    subject_id: UUID | None  # None: no organization, the people's own feeds only
    people: list[UUID]


def feed_scope(event: AnyEvent) -> FeedScope | None:
    """None: the event changes no feed."""
    match event:
        case LanguageChanged(user_id=user_id):  # a feed's own words are in its owner's language
            return FeedScope(queries.STALE_FEEDS_OF_ORG, None, [user_id])
        case OrgChanged(org_id=org_id):  # its name, its timezone, its language for those who chose none
            return FeedScope(queries.STALE_FEEDS_OF_ORG, org_id, [])
        case BookingPlaced(status="waitlisted"):
            return None  # feeds list confirmed places only: a waitlist spot changes none
        case MemberAdded(org_id=org_id, user_id=user_id) | MemberLeft(org_id=org_id, user_id=user_id) | (
            MemberRolesChanged(org_id=org_id, user_id=user_id)
        ):
            return FeedScope(queries.STALE_FEEDS_OF_ORG, org_id, [user_id])
        case GroupMemberJoined(group_id=g, user_id=u) | GroupMemberLeft(group_id=g, user_id=u) | GroupMemberRequested(
            group_id=g, user_id=u
        ) | GroupMemberDeclined(group_id=g, user_id=u):
            return FeedScope(queries.STALE_FEEDS_OF_GROUP, g, [u])
        case GroupChanged(group_id=g) | GroupArchived(group_id=g):  # its name, who may see it
            return FeedScope(queries.STALE_FEEDS_OF_GROUP, g, [])
        case SeriesScheduled(series_id=series_id) | SeriesChanged(series_id=series_id):
            return FeedScope(queries.STALE_FEEDS_OF_SERIES, series_id, [])
        case SessionRescheduled(session_id=session_id) | SessionCancelled(session_id=session_id):
            return FeedScope(queries.STALE_FEEDS_OF_SESSION, session_id, [])
        case FacilitatorsChanged(session_id=session_id, added=added, removed=removed):
            return FeedScope(queries.STALE_FEEDS_OF_SESSION, session_id, [*added, *removed])
        case SeriesFacilitatorsChanged(series_id=series_id, added=added, removed=removed):
            return FeedScope(queries.STALE_FEEDS_OF_SERIES, series_id, [*added, *removed])
        case EventScheduled(event_id=event_id) | EventChanged(event_id=event_id) | EventCancelled(event_id=event_id):
            return FeedScope(queries.STALE_FEEDS_OF_EVENT, event_id, [])
        case ShiftCreated(shift_id=shift_id) | ShiftChanged(shift_id=shift_id) | ShiftCancelled(shift_id=shift_id):
            return FeedScope(queries.STALE_FEEDS_OF_SHIFT, shift_id, [])
        case BookingPlaced(user_id=u) | BookingCancelled(user_id=u):
            # A place shows only in its holder's own feeds: organization feeds list every shift
            # and event whoever holds a place (feeds/queries.py), and public feeds hold no places.
            # Dropping every member's feeds here cost a large organization thousands of Redis
            # commands per signup.
            return FeedScope(queries.STALE_FEEDS_OF_ORG, None, [u])
    raise TypeError(f"no feed scope for {type(event).__name__}")


async def stale_feed_keys(conn: asyncpg.Connection, events: Iterable[AnyEvent]) -> list[str]:
    """The cache keys of every feed any of the events may show in (pass them to `cache.forget`):
    one query for each subject (a batch of signups, whose feeds are their holders' own, is one
    query for all of them)."""
    people: dict[tuple[str, UUID | None], list[UUID]] = {}
    for event in events:
        if (scope := feed_scope(event)) is not None:
            people.setdefault((scope.query, scope.subject_id), []).extend(scope.people)
    keys: list[str] = []
    for (query, subject_id), named in people.items():
        found = await conn.fetchrow(query, subject_id, list(dict.fromkeys(named)))
        keys += [cache.public_key(found["slug"])] if found["slug"] is not None else []
        keys += [cache.private_key(token_hash) for token_hash in found["token_hashes"]]
    return list(dict.fromkeys(keys))
