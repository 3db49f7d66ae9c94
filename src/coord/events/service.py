"""Community events and their registrations. Runs inside the caller's transaction.

Who sees an event: members of its organization see all of them; anyone logged
in sees (and may register for) a public one; other organizations' unlisted and
private events do not exist for outsiders (404).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from coord.bookings import engine as bookings
from coord.bookings.engine import EVENT_REGISTRATIONS
from coord.kernel import languages as codes
from coord.kernel.access import STAFF, check_roles, require_member, require_role
from coord.auth.gate import require_confirmed_email
from coord.auth.service import check_timezone
from coord.i18n import gettext as _
from coord.i18n.dates import short_day_time
from coord.kernel.errors import Conflict, NotFound, Unprocessable
from coord.events import queries
from coord.events.schemas import EventIn, EventOut, EventPatch, RegistrationOut
from coord.outbox.domain_events import EventCancelled, EventChanged, EventScheduled
from coord.outbox.record import record
from coord.kernel.pagination import KeyInstant, Page, decode_cursor, page_of


def _visible(event: asyncpg.Record) -> bool:
    return bool(event["roles"]) or event["visibility"] == "public"


async def create_event(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, data: EventIn) -> EventOut:
    await require_role(conn, org_id, actor_id, STAFF)
    check_timezone(data.timezone)
    if data.ends_at <= data.starts_at:
        raise Unprocessable(_("the end must be after the start"), field="ends_at")
    opens, closes = data.registration_opens_at, data.registration_closes_at
    if opens and closes and closes <= opens:
        raise Unprocessable(_("registration must close after it opens"), field="registration_closes_at")
    if closes and closes > data.ends_at:
        raise Unprocessable(_("registration cannot close after the event ends"), field="registration_closes_at")
    if data.venue_id and not await conn.fetchval(queries.VENUE_IN_ORG, data.venue_id, org_id):
        raise Unprocessable(_("no such venue in this organization"), field="venue_id")
    event_id = await conn.fetchval(
        queries.INSERT_EVENT, org_id, data.title.strip(), data.description, data.kind, data.starts_at, data.ends_at,
        data.timezone, data.capacity, data.venue_id, data.visibility, opens, closes, codes.check(data.languages),
    )  # fmt: skip
    await record(conn, EventScheduled(event_id=event_id))
    return await get_event(conn, actor_id, event_id)


async def get_event(conn: asyncpg.Connection, actor_id: UUID, event_id: UUID) -> EventOut:
    row = await conn.fetchrow(queries.GET_EVENT, event_id, actor_id)
    if row is None or not _visible(row):
        raise NotFound(_("no such event"))
    return EventOut(**{k: v for k, v in row.items() if k != "roles"})


async def list_events(
    conn: asyncpg.Connection,
    actor_id: UUID,
    org_id: UUID,
    from_: datetime | None,
    to: datetime | None,
    limit: int,
    cursor: str | None,
    language: str | None = None,
) -> Page[EventOut]:
    """Every event of the org that is not cancelled, by start time (members); `language`:
    only those held in it (an ISO 639 code; 422 for one that is not)."""
    await require_member(conn, org_id, actor_id)
    language = codes.check([language], "language")[0] if language else None
    after_start, after_id = decode_cursor(cursor, tuple[KeyInstant, UUID]) or (None, None)
    rows = await conn.fetch(queries.LIST_EVENTS, org_id, from_, to, after_start, after_id, limit + 1, language)
    return page_of([EventOut(**dict(r)) for r in rows], limit, lambda e: (e.starts_at, e.id))


async def _lock_event(conn: asyncpg.Connection, actor_id: UUID, event_id: UUID) -> asyncpg.Record:
    """Lock the event row (the capacity lock), checking the caller may see it."""
    event = await conn.fetchrow(queries.LOCK_EVENT, event_id, actor_id)
    if event is None or not _visible(event):
        raise NotFound(_("no such event"))
    return event


async def update_event(conn: asyncpg.Connection, actor_id: UUID, event_id: UUID, data: EventPatch) -> EventOut:
    """Change an event. A new time, place or title raises SEQUENCE and sends everyone
    confirmed the invite again; more capacity promotes the waitlist in order, less never
    removes anyone confirmed."""
    event = await _lock_event(conn, actor_id, event_id)
    check_roles(event["roles"], STAFF)
    if event["status"] == "cancelled":
        raise Conflict(_("this event is cancelled"))
    current = await conn.fetchrow(queries.EVENT_FOR_UPDATE, event_id)
    starts_at, ends_at = data.starts_at or current["starts_at"], data.ends_at or current["ends_at"]
    if ends_at <= starts_at:
        raise Unprocessable(_("the end must be after the start"), field="ends_at")
    closes = current["registration_closes_at"]
    if closes and closes > ends_at:
        raise Unprocessable(_("the event would end before registration closes"), field="ends_at")
    timezone = data.timezone or current["timezone"]
    check_timezone(timezone)
    venue_id = current["venue_id"] if data.venue_id is msgspec.UNSET else data.venue_id
    if venue_id and not await conn.fetchval(queries.VENUE_IN_ORG, venue_id, event["org_id"]):
        raise Unprocessable(_("no such venue in this organization"), field="venue_id")
    capacity = current["capacity"] if data.capacity is msgspec.UNSET else data.capacity
    languages = list(current["languages"]) if data.languages is msgspec.UNSET else codes.check(data.languages)
    title = data.title.strip() if data.title else current["title"]
    description = current["description"] if data.description is None else data.description
    seen = (title, starts_at, ends_at, timezone, venue_id)
    invite_changed = seen != tuple(current[k] for k in ("title", "starts_at", "ends_at", "timezone", "venue_id"))
    await conn.execute(
        queries.UPDATE_EVENT, event_id, title, description, starts_at, ends_at, timezone, capacity, venue_id,
        invite_changed, languages,
    )
    await record(conn, EventChanged(
        event_id=event_id, invite_changed=invite_changed, was_starts_at=current["starts_at"],
        was_ends_at=current["ends_at"], was_venue_id=current["venue_id"],
    ))
    if capacity is None or (current["capacity"] is not None and capacity > current["capacity"]):
        await bookings.promote(conn, EVENT_REGISTRATIONS, event_id, capacity)
    return await get_event(conn, actor_id, event_id)


async def cancel_event(conn: asyncpg.Connection, actor_id: UUID, event_id: UUID) -> EventOut:
    """Cancel the event and every active registration with it, in one transaction."""
    event = await _lock_event(conn, actor_id, event_id)
    check_roles(event["roles"], STAFF)
    await bookings.cancel_bookable(conn, EVENT_REGISTRATIONS, event, EventCancelled(event_id=event_id))
    return await get_event(conn, actor_id, event_id)


def _registration_open(event: asyncpg.Record, now: datetime) -> None:
    """Registration is open from registration_opens_at (or creation) until
    registration_closes_at (or the start of the event)."""
    opens = event["registration_opens_at"]
    closes = event["registration_closes_at"] or event["starts_at"]
    window = {"registration_opens_at": opens.isoformat() if opens else None, "registration_closes_at": closes.isoformat()}
    # The sentence says the time as the reader writes it, where the event happens; the
    # problem's fields keep the instants for clients.
    if opens and now < opens:
        raise Conflict(_("registration opens at %(when)s") % {"when": short_day_time(opens, event["timezone"], True)},
                       slug="registration-not-open", extra=window)
    if now >= closes:
        raise Conflict(_("registration closed at %(when)s") % {"when": short_day_time(closes, event["timezone"], True)},
                       slug="registration-closed", extra=window)


REGISTER_RULES = (EVENT_REGISTRATIONS.not_cancelled, EVENT_REGISTRATIONS.not_booked_yet, _registration_open)


async def register(conn: asyncpg.Connection, user_id: UUID, event_id: UUID) -> RegistrationOut:
    """Take a place, or the back of the waitlist when the event is full. Two statements:
    lock the event and read every rule's input, then the engine counts and inserts."""
    event = await _lock_event(conn, user_id, event_id)
    await require_confirmed_email(conn, user_id)
    seat = await bookings.take_place(conn, EVENT_REGISTRATIONS, event, user_id, REGISTER_RULES)
    return RegistrationOut(id=seat.id, event_id=event_id, user_id=user_id, status=seat.status, position=seat.position)


async def unregister(conn: asyncpg.Connection, user_id: UUID, event_id: UUID) -> None:
    """Give up a place (or leave the waitlist); a freed place goes to the first waitlisted person."""
    event = await _lock_event(conn, user_id, event_id)
    await bookings.cancel_mine(conn, EVENT_REGISTRATIONS, event, user_id)


async def my_registration(conn: asyncpg.Connection, user_id: UUID, event_id: UUID) -> RegistrationOut:
    await get_event(conn, user_id, event_id)
    return RegistrationOut(**dict(await bookings.my_booking(conn, EVENT_REGISTRATIONS, event_id, user_id)))
