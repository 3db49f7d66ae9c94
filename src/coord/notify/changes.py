"""What a change email says changed: from when and where, to when and where.

The domain event of a move carries when and where the thing was before (times and a
venue id: coord.outbox.domain_events, `was_*`); the message reads where it is now when it
is built, and says both. Places are told only to people confirmed for the thing (every
change email goes to them alone).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from coord.i18n import gettext as _
from coord.notify import queries
from coord.notify.messages import when
from coord.outbox.domain_events import EventChanged, SessionRescheduled, ShiftChanged


class Before(msgspec.Struct, frozen=True):
    """When (and, for sessions and events, where) something was before it moved."""

    starts_at: datetime
    ends_at: datetime
    venue_id: UUID | None = None


def before_of(event: SessionRescheduled | ShiftChanged | EventChanged) -> Before | None:
    """What the event says it was; None for events stored before they said it."""
    if event.was_starts_at is None or event.was_ends_at is None:
        return None
    return Before(event.was_starts_at, event.was_ends_at, getattr(event, "was_venue_id", None))


def where(meeting_url: str | None, *named: str | None) -> str | None:
    """A place as an invite's LOCATION and a message say it: the meeting link of an online
    venue, else its names and address, joined ("Front desk, Riverside Center, 12 Main St")."""
    return meeting_url or ", ".join(x for x in named if x) or None


async def place_of(conn: asyncpg.Connection, venue_id: UUID | None) -> str | None:
    """Where a venue is; None for no venue (or one deleted since)."""
    venue = await conn.fetchrow(queries.VENUE_FOR_INVITE, venue_id) if venue_id is not None else None
    return where(venue["meeting_url"], venue["name"], venue["address"]) if venue else None


def from_to(
    before: Before, before_place: str | None, start: datetime, end: datetime, place: str | None, tz: str
) -> str:
    """"It was on Tuesday 16 March ..., at Room A. It is now on Thursday 18 March ..., at Room B."
    in the reader's zone, naming the place only where there is one."""
    was = when(before.starts_at, before.ends_at, tz)
    now = when(start, end, tz)
    return ((_("It was on %(when)s, at %(place)s.") % {"when": was, "place": before_place} if before_place
             else _("It was on %(when)s.") % {"when": was}) + " "
            + (_("It is now on %(when)s, at %(place)s.") % {"when": now, "place": place} if place
               else _("It is now on %(when)s.") % {"when": now}))


def moved_in_time(before: Before, start: datetime, end: datetime) -> bool:
    return (before.starts_at, before.ends_at) != (start, end)
